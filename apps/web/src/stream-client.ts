import {
  API_PATHS,
  ApiErrorBodySchema,
  type ChatRequest,
  decodeStreamEvent,
  EVENT_STREAM_TYPE,
  hasMediaType,
  JSON_TYPE,
  type StreamEvent,
  type StreamEventData,
} from '@gpt-stream/protocol';
import { type EventSourceMessage, fetchEventSource } from '@microsoft/fetch-event-source';

/** Why a stream failed on this side of the wire, as opposed to an `error` event from the server. */
export type ClientFailure =
  /** The server refused the request before any stream started (4xx/5xx). */
  | { kind: 'http'; status: number; code: string | null; message: string }
  /** The server could not be reached at all. */
  | { kind: 'network'; message: string }
  /** The stream started but ended, or broke, before its `done` or `error` event. */
  | { kind: 'cut'; message: string }
  /** The server answered with something the page cannot decode. */
  | { kind: 'protocol'; message: string };

/** How a stream ended. Exactly one of these per `streamChat` call; it never rejects. */
export type StreamOutcome =
  | { type: 'completed'; done: StreamEventData<'done'> }
  | { type: 'server-error'; error: StreamEventData<'error'> }
  | { type: 'stopped' }
  | { type: 'failed'; failure: ClientFailure };

export interface StreamChatOptions {
  request: ChatRequest;
  /** Aborting it ends the stream with a `stopped` outcome and closes the connection. */
  signal: AbortSignal;
  /** Every decoded event, terminal ones included, in the order they arrived. */
  onEvent: (event: StreamEvent) => void;
  /** Injectable for tests; defaults to the browser's fetch. */
  fetch?: typeof fetch;
}

export const FAILURE_MESSAGES = {
  network: 'Could not reach the server.',
  cut: 'The stream was cut off before it finished.',
} as const;

/**
 * Carries a classified failure out of fetchEventSource's callbacks: anything they throw ends up in
 * `onerror`, which rethrows it so that fetchEventSource rejects with it.
 */
class StreamFailure extends Error {
  constructor(readonly failure: ClientFailure) {
    super(failure.message);
    this.name = 'StreamFailure';
  }
}

/**
 * POSTs a chat request and dispatches its events until the stream ends. There is deliberately no
 * automatic retry: a retry re-POSTs and starts a second generation, so it must be a policy built on
 * top of the outcome (which is why failures carry a kind), never a side effect of the transport.
 */
export async function streamChat(options: StreamChatOptions): Promise<StreamOutcome> {
  const { request, signal, onEvent } = options;
  // fetchEventSource only listens for a future abort; an already aborted signal would still POST.
  if (signal.aborted) return { type: 'stopped' };

  // Set by the callbacks below. The casts stop TypeScript from narrowing them to their initial
  // values, since it cannot see assignments made inside callbacks.
  let opened = false as boolean;
  let terminal = null as StreamOutcome | null;

  try {
    await fetchEventSource(API_PATHS.chat, {
      method: 'POST',
      // fetchEventSource copies headers with Object.assign: a Headers instance would lose them.
      headers: { 'content-type': JSON_TYPE, accept: EVENT_STREAM_TYPE },
      body: JSON.stringify(request),
      signal,
      // The default (false) aborts the request when the tab is hidden and re-POSTs it when it is
      // shown again, which would start a second generation.
      openWhenHidden: true,
      ...(options.fetch ? { fetch: options.fetch } : {}),

      async onopen(response) {
        await checkResponse(response);
        opened = true;
      },

      onmessage(message) {
        // Every blank line dispatches a message, heartbeat comments included: only data counts.
        if (message.data === '') return;
        // Nothing follows a terminal event on a well-behaved server; ignore it if something does.
        if (terminal) return;
        const event = decodeMessage(message);
        dispatch(onEvent, event);
        if (event.type === 'done') terminal = { type: 'completed', done: event.data };
        if (event.type === 'error') terminal = { type: 'server-error', error: event.data };
      },

      onclose() {
        if (!terminal) throw new StreamFailure({ kind: 'cut', message: FAILURE_MESSAGES.cut });
      },

      // Returning from onerror makes fetchEventSource retry (and re-POST) forever; always throw.
      onerror(error: unknown) {
        throw error instanceof StreamFailure ? error : new StreamFailure(classify(error, opened));
      },
    });
  } catch (error) {
    // A terminal event that arrived before the failure still decides the outcome.
    if (terminal) return terminal;
    if (signal.aborted) return { type: 'stopped' };
    return {
      type: 'failed',
      failure: error instanceof StreamFailure ? error.failure : classify(error, opened),
    };
  }

  // fetchEventSource resolves without a terminal event only when aborted (onclose throws
  // otherwise), and then silently, without onclose or onerror: the stop must be reported here.
  // A terminal event that arrived before the abort still wins: that answer was whole.
  return terminal ?? { type: 'stopped' };
}

/** An error thrown by fetch or by reading the body: before the response it is the network. */
function classify(error: unknown, opened: boolean): ClientFailure {
  if (opened) return { kind: 'cut', message: FAILURE_MESSAGES.cut };
  if (error instanceof TypeError) return { kind: 'network', message: FAILURE_MESSAGES.network };
  // Anything else before the stream opened is a bug or an exotic fetch; keep the detail visible.
  const detail = error instanceof Error ? error.message : String(error);
  return { kind: 'network', message: `${FAILURE_MESSAGES.network} (${detail})` };
}

function decodeMessage(message: EventSourceMessage): StreamEvent {
  const result = decodeStreamEvent(message.event, message.data);
  if (result.ok) return result.event;
  throw new StreamFailure({
    kind: 'protocol',
    message: `The server sent something the page could not read: ${result.reason}.`,
  });
}

function dispatch(onEvent: (event: StreamEvent) => void, event: StreamEvent): void {
  try {
    onEvent(event);
  } catch (error) {
    // A throw here would reach onerror and read as a broken connection; it is a page bug instead.
    console.error(error);
    throw new StreamFailure({
      kind: 'protocol',
      message: `The page could not show a "${event.type}" event.`,
    });
  }
}

async function checkResponse(response: Response): Promise<void> {
  if (!response.ok) throw new StreamFailure(await httpFailure(response));
  const contentType = response.headers.get('content-type');
  if (!hasMediaType(contentType, EVENT_STREAM_TYPE)) {
    // Typically an HTML page from a proxy or a dev server that does not know the API route.
    throw new StreamFailure({
      kind: 'protocol',
      message: `The server did not answer with an event stream (it sent ${contentType ?? 'no content type'}).`,
    });
  }
}

/** Prefers the server's own `{ error: { code, message } }`; any other body says only the status. */
async function httpFailure(response: Response): Promise<ClientFailure> {
  const fallback: ClientFailure = {
    kind: 'http',
    status: response.status,
    code: null,
    message: `The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`,
  };
  let json: unknown;
  try {
    // The content type is not trusted either way: proxies relabel bodies, frameworks mislabel them.
    json = JSON.parse(await response.text());
  } catch {
    return fallback;
  }
  const body = ApiErrorBodySchema.safeParse(json);
  if (!body.success) return fallback;
  const { code, message } = body.data.error;
  return { ...fallback, code, message: message || fallback.message };
}
