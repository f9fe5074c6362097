import {
  API_PATHS,
  ApiErrorBodySchema,
  type ChatRequest,
  chatStreamPath,
  decodeStreamEvent,
  EVENT_STREAM_TYPE,
  hasMediaType,
  isStreamEventType,
  JSON_TYPE,
  parseChatRequest,
  type StreamEvent,
  type StreamEventData,
} from '@gpt-stream/protocol';
import { type EventSourceMessage, fetchEventSource } from '@microsoft/fetch-event-source';
import { isReplayed, replayedThrough } from './replayed.ts';
import {
  type ClientFailure,
  DEFAULT_RETRY_POLICY,
  isRetryable,
  parseRetryAfter,
  type RetryPolicy,
  retryDelayMs,
} from './retry-policy.ts';
import { createStateMachine, isActive, type StreamState } from './stream-state.ts';
import type { WorkerFetch } from './worker-fetch.ts';

export type { ClientFailure } from './retry-policy.ts';

/** How a stream ended. Exactly one per `send` or `resume`; neither ever rejects. */
export type StreamOutcome =
  | { type: 'completed'; done: StreamEventData<'done'> }
  | { type: 'server-error'; error: StreamEventData<'error'> }
  | { type: 'stopped' }
  | { type: 'failed'; failure: ClientFailure };

/** Enough to resume a stream: its id and the last event the page has. */
export interface StreamPosition {
  streamId: string;
  lastEventId: string | null;
}

export interface StateDetail {
  /** 0 on a first attempt; n while waiting for, or making, the n-th retry. */
  retry: number;
  /** With a final state (done, stopped, error): how the stream ended. */
  outcome?: StreamOutcome;
}

export interface StreamClientOptions {
  onState: (state: StreamState, detail: StateDetail) => void;
  /** Every decoded event, terminal ones included, in order, each exactly once. */
  onEvent: (event: StreamEvent) => void;
  fetch?: typeof fetch;
  /** Makes requests in the stream worker, which joins a fast stream's events (worker-fetch.ts). */
  viaWorker?: WorkerFetch;
  retry?: RetryPolicy;
  random?: () => number;
  /** Resolves after `ms`, or at once when the signal aborts. Injectable for tests. */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface StreamClient {
  readonly state: StreamState;
  /** The current or last stream, once its `start` event (or a resume) named it. */
  readonly position: StreamPosition | null;
  /** POSTs a new prompt. */
  send(request: ChatRequest): Promise<StreamOutcome>;
  /** Continues a stream by id, after `after` or from its first event; never generates anew. */
  resume(streamId: string, after?: string): Promise<StreamOutcome>;
  /** The reader's deliberate stop: aborts the request and tells the server to stop generating. */
  stop(): void;
}

export const FAILURE_MESSAGES = {
  network: 'Could not reach the server. Check the connection, then send again.',
  cut: 'The stream was cut off before it finished.',
} as const;

/** One request: the first POST, or a GET that resumes. */
interface Target {
  url: string;
  init: { method: 'POST'; body: string } | { method: 'GET' };
}

type AttemptResult =
  | { type: 'ended'; outcome: StreamOutcome }
  | { type: 'failed'; failure: ClientFailure; progressed: boolean };

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
 * The page's one stream at a time, as a state machine: `idle -> connecting -> streaming ->
 * done | stopped | error`. fetchEventSource only parses: its own retry (which re-POSTs, forever)
 * is switched off, and this client retries deliberately instead, a bounded number of times, and
 * only in ways that cannot start a second generation: before `start` it re-sends the prompt (the
 * server never began), after `start` it resumes the same stream after the last event it has.
 */
export function createStreamClient(options: StreamClientOptions): StreamClient {
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const policy = options.retry ?? DEFAULT_RETRY_POLICY;
  const wait = options.wait ?? waitFor;
  let retry = 0;
  let detail: StateDetail = { retry };
  const machine = createStateMachine((state) => options.onState(state, detail));
  let current: AbortController | null = null;
  let position: StreamPosition | null = null;

  function move(state: StreamState, outcome?: StreamOutcome): void {
    detail = outcome ? { retry, outcome } : { retry };
    machine.move(state);
  }

  function assertIdle(): void {
    if (current || isActive(machine.state)) throw new Error('A stream is already running.');
  }

  async function run(first: Target, initial: StreamPosition | null): Promise<StreamOutcome> {
    assertIdle();
    const controller = new AbortController();
    current = controller;
    position = initial;
    retry = 0;
    move('connecting');
    let outcome: StreamOutcome;
    for (let target = first; ; target = nextTarget(first)) {
      const result = await attempt(target, controller.signal);
      if (result.type === 'ended') {
        outcome = result.outcome;
        break;
      }
      if (result.progressed) retry = 0;
      if (!isRetryable(result.failure, position !== null) || retry >= policy.maxRetries) {
        outcome = { type: 'failed', failure: finalFailure(result.failure, retry) };
        break;
      }
      retry += 1;
      move('connecting');
      await wait(retryDelayMs(policy, retry, result.failure, options.random), controller.signal);
      if (controller.signal.aborted) {
        outcome = { type: 'stopped' };
        break;
      }
    }
    current = null;
    move(finalState(outcome), outcome);
    return outcome;
  }

  /** Once the stream has a name, a retry continues it; before that, nothing was generated. */
  function nextTarget(first: Target): Target {
    if (!position) return first;
    return {
      url: chatStreamPath(position.streamId, position.lastEventId ?? undefined),
      init: { method: 'GET' },
    };
  }

  /** A failure after the stream had started is, to the reader, a cut stream, whatever broke next. */
  function finalFailure(failure: ClientFailure, retries: number): ClientFailure {
    const attempts = retries > 0 ? ` (${retries + 1} attempts)` : '';
    // An unreadable answer is the server's bug, not a cut: say what it sent.
    if (!position || failure.kind === 'protocol') return appendToMessage(failure, attempts);
    if (failure.kind === 'cut' && retries === 0) return failure;
    const reason =
      failure.kind === 'network'
        ? 'The server could not be reached to resume it'
        : failure.kind === 'http'
          ? `Resuming it failed: ${failure.message.replace(/\.$/, '')}`
          : 'Resuming it failed';
    return { kind: 'cut', message: `${FAILURE_MESSAGES.cut} ${reason}${attempts}.` };
  }

  function record(event: StreamEvent, rawId: string): void {
    if (event.type === 'start') position = { streamId: event.data.streamId, lastEventId: null };
    if (!position || rawId === '') return;
    position.lastEventId = rawId;
  }

  async function attempt(target: Target, signal: AbortSignal): Promise<AttemptResult> {
    // fetchEventSource only listens for a future abort; an aborted signal would still send.
    if (signal.aborted) return { type: 'ended', outcome: { type: 'stopped' } };
    // Set inside callbacks; the casts stop TypeScript narrowing them to their initial values.
    let opened = false as boolean;
    let progressed = false as boolean;
    let terminal = null as StreamOutcome | null;
    // While set, the attempt may begin with events the page already has (a resume replays from
    // the last id it knows): those are dropped. Events come in order, so the first new one ends
    // the check, and a stream that was never cut parses no ids at all. A body the worker read
    // has had them dropped already, before its deltas were joined.
    const from = position && replayedThrough(position.streamId, position.lastEventId);
    let replayed = from;
    const { viaWorker } = options;
    try {
      await fetchEventSource(target.url, {
        ...target.init,
        // fetchEventSource copies headers with Object.assign: a Headers instance would lose them.
        headers:
          target.init.method === 'POST'
            ? { 'content-type': JSON_TYPE, accept: EVENT_STREAM_TYPE }
            : { accept: EVENT_STREAM_TYPE },
        signal,
        // The default (false) aborts the request when the tab is hidden and sends it again when
        // it is shown: a second generation, or at best a replay.
        openWhenHidden: true,
        // fetchEventSource passes its own signal and the headers as a plain object, always.
        fetch: (input, init = {}) =>
          viaWorker?.(
            String(input),
            {
              ...target.init,
              headers: init.headers as Record<string, string>,
              signal: init.signal as AbortSignal,
            },
            from,
          ) ?? fetchImpl(input, init),

        async onopen(response) {
          await checkResponse(response);
          opened = true;
          move('streaming');
        },

        onmessage(message) {
          // Every blank line dispatches a message, heartbeat comments included: only data counts.
          if (message.data === '' || terminal) return;
          if (replayed) {
            if (isReplayed(message.id, replayed)) return;
            replayed = null;
          }
          progressed = true;
          // A type a newer server added: skipped, but its id still counts, so a resume goes on
          // after it instead of asking for it again. An unnamed event is no type at all: it
          // fails below, as the server never sends one.
          if (message.event !== '' && !isStreamEventType(message.event)) {
            if (position && message.id !== '') position.lastEventId = message.id;
            return;
          }
          const event = decodeMessage(message);
          record(event, message.id);
          dispatch(options.onEvent, event);
          if (event.type === 'done') terminal = { type: 'completed', done: event.data };
          if (event.type === 'error') terminal = { type: 'server-error', error: event.data };
        },

        onclose() {
          if (!terminal) throw new StreamFailure({ kind: 'cut', message: FAILURE_MESSAGES.cut });
        },

        // Returning from onerror makes fetchEventSource retry by itself; always throw.
        onerror(error: unknown) {
          throw error instanceof StreamFailure ? error : new StreamFailure(classify(error, opened));
        },
      });
    } catch (error) {
      // A terminal event that arrived before the failure still decides the outcome.
      if (terminal) return { type: 'ended', outcome: terminal };
      if (signal.aborted) return { type: 'ended', outcome: { type: 'stopped' } };
      const failure = error instanceof StreamFailure ? error.failure : classify(error, opened);
      return { type: 'failed', failure, progressed };
    }
    // fetchEventSource resolves without a terminal event only when aborted (onclose throws
    // otherwise), and then silently, without onclose or onerror: the stop is reported here.
    return { type: 'ended', outcome: terminal ?? { type: 'stopped' } };
  }

  return {
    get state() {
      return machine.state;
    },
    get position() {
      return position && { ...position };
    },
    async send(request) {
      assertIdle();
      const checked = parseChatRequest(request);
      if (!checked.ok) {
        retry = 0;
        // The protocol's own validation: the server's message, without the round trip.
        const outcome: StreamOutcome = {
          type: 'failed',
          failure: { kind: 'invalid', message: checked.message },
        };
        move('error', outcome);
        return outcome;
      }
      const body = JSON.stringify(checked.value);
      return run({ url: API_PATHS.chat, init: { method: 'POST', body } }, null);
    },
    resume(streamId, after) {
      const url = chatStreamPath(streamId, after);
      return run({ url, init: { method: 'GET' } }, { streamId, lastEventId: after ?? null });
    },
    stop() {
      if (!current) return;
      current.abort();
      if (!position) return;
      // keepalive lets the request outlive the page; the reader's stop needs no answer.
      fetchImpl(chatStreamPath(position.streamId), { method: 'DELETE', keepalive: true }).catch(
        () => undefined,
      );
    },
  };
}

function finalState(outcome: StreamOutcome): 'done' | 'stopped' | 'error' {
  if (outcome.type === 'completed') return 'done';
  if (outcome.type === 'stopped') return 'stopped';
  return 'error';
}

function appendToMessage(failure: ClientFailure, suffix: string): ClientFailure {
  if (suffix === '') return failure;
  return { ...failure, message: `${failure.message.replace(/\.$/, '')}${suffix}.` };
}

function waitFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** An error thrown by fetch or by reading the body: before the response, it is the network. */
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
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  const fallback: ClientFailure = {
    kind: 'http',
    status: response.status,
    code: null,
    message: `The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
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
