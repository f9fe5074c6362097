/** The states of a stream, and of `#status[data-state]`: part of the page contract. */
export const STREAM_STATES = [
  'idle',
  'connecting',
  'streaming',
  'done',
  'stopped',
  'error',
] as const;
export type StreamState = (typeof STREAM_STATES)[number];

/** A stream's end: the only states a new request may start from, besides idle. */
export type FinalState = Extract<StreamState, 'done' | 'stopped' | 'error'>;

/**
 * Every legal move. `connecting` follows `streaming` when a broken stream is being resumed, and
 * follows itself when a retry waits for the next attempt. `idle -> error` is input refused before
 * any request was sent.
 */
const TRANSITIONS: Record<StreamState, readonly StreamState[]> = {
  idle: ['connecting', 'error'],
  connecting: ['connecting', 'streaming', 'done', 'stopped', 'error'],
  streaming: ['connecting', 'done', 'stopped', 'error'],
  done: ['connecting', 'error'],
  stopped: ['connecting', 'error'],
  error: ['connecting', 'error'],
};

export function canMove(from: StreamState, to: StreamState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** While a request is in flight, or waiting to be retried: Send must wait, Stop must work. */
export function isActive(state: StreamState): boolean {
  return state === 'connecting' || state === 'streaming';
}

export interface StateMachine {
  readonly state: StreamState;
  /** Moves to `to`, or throws: an illegal move is a bug in the client, never the server's fault. */
  move(to: StreamState): void;
}

export function createStateMachine(
  onMove: (to: StreamState, from: StreamState) => void,
): StateMachine {
  let state: StreamState = 'idle';
  return {
    get state() {
      return state;
    },
    move(to) {
      if (!canMove(state, to)) throw new Error(`A stream cannot go from ${state} to ${to}.`);
      const from = state;
      state = to;
      onMove(to, from);
    },
  };
}
