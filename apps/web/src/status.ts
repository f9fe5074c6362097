import type { StreamOutcome } from './stream-client.ts';

/** The values of `#status[data-state]`, part of the page contract. */
export const PAGE_STATES = ['idle', 'connecting', 'streaming', 'done', 'stopped', 'error'] as const;
export type PageState = (typeof PAGE_STATES)[number];

export const STATUS_LABELS: Record<PageState, string> = {
  idle: 'Ready',
  connecting: 'Connecting…',
  streaming: 'Streaming…',
  done: 'Done',
  stopped: 'Stopped',
  error: 'Error',
};

/** While a request is in flight: Send must wait, Stop must work. */
export function isActive(state: PageState): boolean {
  return state === 'connecting' || state === 'streaming';
}

export interface FinalView {
  state: PageState;
  /** For `#error`; null when nothing failed. */
  error: string | null;
}

/**
 * The page's final state for each way a stream can end. Only a `done` event reads as done: a cut
 * stream keeps its partial text on screen but says it was cut.
 */
export function describeOutcome(outcome: StreamOutcome): FinalView {
  switch (outcome.type) {
    case 'completed':
      return { state: 'done', error: null };
    case 'stopped':
      return { state: 'stopped', error: null };
    case 'server-error':
      return { state: 'error', error: outcome.error.message || 'The server could not finish.' };
    case 'failed':
      return { state: 'error', error: outcome.failure.message };
  }
}
