import type { StateDetail, StreamOutcome } from '../stream/stream-client.ts';
import type { StreamState } from '../stream/stream-state.ts';

export const STATUS_LABELS: Record<StreamState, string> = {
  idle: 'Ready',
  connecting: 'Connecting…',
  streaming: 'Streaming…',
  done: 'Done',
  stopped: 'Stopped',
  error: 'Error',
};

/** The text of `#status`: a retry says so, and which one, so that a wait is never silent. */
export function statusLabel(state: StreamState, { retry }: StateDetail): string {
  if (state === 'connecting' && retry > 0) return `Reconnecting (retry ${retry})…`;
  return STATUS_LABELS[state];
}

/**
 * The message of `#error` for each way a stream can end; null when nothing failed. Only a `done`
 * event reads as done: a cut stream keeps its partial text on screen but says it was cut.
 */
export function errorMessage(outcome: StreamOutcome): string | null {
  switch (outcome.type) {
    case 'completed':
    case 'stopped':
      return null;
    case 'server-error':
      return outcome.error.message || 'The server could not finish the answer.';
    case 'failed':
      return outcome.failure.kind === 'invalid'
        ? `Nothing was sent: ${outcome.failure.message}.`
        : outcome.failure.message;
  }
}
