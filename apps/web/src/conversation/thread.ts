import type { StreamOutcome } from '../stream/stream-client.ts';

/**
 * How an answer stands. `streaming` is an answer still arriving (or, after a reload, one to
 * resume); the others are how it ended. A `stopped` or `cut` answer keeps its partial text and is
 * history like any other.
 */
export const ANSWER_STATES = ['streaming', 'done', 'stopped', 'cut', 'error'] as const;
export type AnswerState = (typeof ANSWER_STATES)[number];

export interface UserTurn {
  role: 'user';
  content: string;
}

export interface AssistantTurn {
  role: 'assistant';
  /** Exactly the text that arrived, never trimmed: it goes back to the model as history. */
  content: string;
  state: AnswerState;
  /** The stream that brought it, once its `start` event named it: what a reload resumes. */
  streamId?: string;
  /** The model's thinking before it, exactly as it arrived, when it thought. */
  reasoning?: string;
  /** How long it thought, as this page saw it. */
  thoughtMs?: number;
}

export type Turn = UserTurn | AssistantTurn;

/** The state an answer is left in by the way its stream ended. */
export function answerStateOf(outcome: StreamOutcome): Exclude<AnswerState, 'streaming'> {
  switch (outcome.type) {
    case 'completed':
      return 'done';
    case 'stopped':
      return 'stopped';
    case 'server-error':
      return 'error';
    case 'failed':
      return outcome.failure.kind === 'cut' ? 'cut' : 'error';
  }
}
