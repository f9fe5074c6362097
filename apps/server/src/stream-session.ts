import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import {
  ERROR_CODES,
  encodeEvent,
  formatEventId,
  HEARTBEAT_FRAME,
  STREAM_RESPONSE_HEADERS,
  type StreamEvent,
} from '@gpt-stream/protocol';
import type { ActiveStreams, StopReason } from './active-streams.ts';
import { type GenerateInput, type Model, ModelError } from './models/model.ts';
import type { StreamObserver } from './observability/stream-observer.ts';

export interface StreamSessionOptions {
  res: ServerResponse;
  model: Model;
  input: Omit<GenerateInput, 'signal'>;
  heartbeatMs: number;
  streams: ActiveStreams;
  observer: StreamObserver;
}

/** Internal details stay in the log; the reader learns only what it can act on. */
const MODEL_FAILED: StopReason = {
  code: ERROR_CODES.modelFailed,
  message: 'The model failed while writing its answer.',
  retryable: true,
};

/** A model's own explanation goes out as it is; anything else stays in the log. */
function errorEventFor(error: unknown): StopReason {
  if (!(error instanceof ModelError)) return MODEL_FAILED;
  return { code: error.code, message: error.message, retryable: error.retryable };
}

/** The reader closed the connection; nobody is left to tell. */
const CLIENT_LEFT = Symbol('client left');

/**
 * Runs one stream from headers to its single terminal event. Events are numbered as they are
 * written, the model is pulled only as fast as the socket drains, and a reader that leaves stops
 * the model at once.
 */
export async function runStreamSession({
  res,
  model,
  input,
  heartbeatMs,
  streams,
  observer,
}: StreamSessionOptions): Promise<void> {
  const streamId = randomUUID();
  const abort = new AbortController();
  const observed = observer.started({ streamId, model: model.id });
  let sequence = 0;
  const send = (event: StreamEvent): boolean => {
    observed.sent(event);
    return res.write(encodeEvent(event, formatEventId(streamId, sequence++)));
  };

  // `req` emits 'close' as soon as the POST body is read; only the response tells that the
  // reader has gone, and only while it has not been finished by us.
  const onClose = () => {
    if (!res.writableFinished) abort.abort(CLIENT_LEFT);
  };
  res.on('close', onClose);
  if (res.destroyed) abort.abort(CLIENT_LEFT);
  const untrack = streams.add(streamId, (reason: StopReason) => abort.abort(reason));

  res.writeHead(200, STREAM_RESPONSE_HEADERS);
  res.flushHeaders();
  const heartbeat = setInterval(() => res.write(HEARTBEAT_FRAME), heartbeatMs);
  heartbeat.unref();

  // Settles only by rejecting, when the stream is aborted: racing it against the model means a
  // model that ignores its signal still cannot keep a stream open after the reader left.
  const aborted = new Promise<never>((_, reject) => {
    abort.signal.addEventListener('abort', () => reject(abort.signal.reason), { once: true });
  });
  aborted.catch(() => undefined);

  const generation = model.generate({ ...input, signal: abort.signal });
  try {
    send({ type: 'start', data: { streamId, model: model.id } });
    for (;;) {
      const step = await Promise.race([generation.next(), aborted]);
      if (step.done) {
        send({ type: 'done', data: step.value });
        return;
      }
      if (step.value === '') continue;
      if (!send({ type: 'delta', data: { text: step.value } })) {
        await once(res, 'drain', { signal: abort.signal });
      }
    }
  } catch (error) {
    if (!abort.signal.aborted) {
      observed.failed(error);
      send({ type: 'error', data: errorEventFor(error) });
      return;
    }
    const reason: unknown = abort.signal.reason;
    // Nobody is left to tell when the reader itself closed the connection.
    if (reason !== CLIENT_LEFT) send({ type: 'error', data: reason as StopReason });
  } finally {
    clearInterval(heartbeat);
    res.off('close', onClose);
    untrack();
    // Runs the model's cleanup if it is suspended at a `yield`; a no-op once it has finished.
    generation.return(undefined as never).catch(() => undefined);
    if (!res.writableEnded) res.end();
    observed.ended();
  }
}
