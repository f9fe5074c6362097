import { describe, expect, it } from 'vitest';
import { describeOutcome, isActive, PAGE_STATES, STATUS_LABELS } from './status.ts';

describe('describeOutcome', () => {
  it('shows a completed stream as done, with no error', () => {
    expect(
      describeOutcome({
        type: 'completed',
        done: { finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 2 } },
      }),
    ).toEqual({ state: 'done', error: null });
  });

  it('shows a stopped stream as stopped, with no error', () => {
    expect(describeOutcome({ type: 'stopped' })).toEqual({ state: 'stopped', error: null });
  });

  it("shows the server's message for an error event", () => {
    expect(
      describeOutcome({
        type: 'server-error',
        error: { code: 'model_failed', message: 'The model stopped.', retryable: true },
      }),
    ).toEqual({ state: 'error', error: 'The model stopped.' });
  });

  it('never shows a cut stream as done', () => {
    expect(
      describeOutcome({
        type: 'failed',
        failure: { kind: 'cut', message: 'The stream was cut off before it finished.' },
      }),
    ).toEqual({ state: 'error', error: 'The stream was cut off before it finished.' });
  });

  it('shows the message of a failed request', () => {
    expect(
      describeOutcome({
        type: 'failed',
        failure: { kind: 'http', status: 400, code: 'invalid_request', message: 'prompt!' },
      }),
    ).toEqual({ state: 'error', error: 'prompt!' });
  });
});

describe('status', () => {
  it('has a label for every state', () => {
    for (const state of PAGE_STATES) expect(STATUS_LABELS[state]).toMatch(/\S/);
  });

  it('counts only connecting and streaming as active', () => {
    expect(PAGE_STATES.filter(isActive)).toEqual(['connecting', 'streaming']);
  });
});
