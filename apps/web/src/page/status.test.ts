import { describe, expect, it } from 'vitest';
import { STREAM_STATES } from '../stream/stream-state.ts';
import { errorMessage, STATUS_LABELS, statusLabel } from './status.ts';

describe('errorMessage', () => {
  it('is empty for a completed stream', () => {
    expect(
      errorMessage({
        type: 'completed',
        done: { finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 2 } },
      }),
    ).toBeNull();
  });

  it('is empty for a stopped stream: the reader asked for it', () => {
    expect(errorMessage({ type: 'stopped' })).toBeNull();
  });

  it("shows the server's message for an error event", () => {
    expect(
      errorMessage({
        type: 'server-error',
        error: { code: 'model_failed', message: 'The model stopped.', retryable: true },
      }),
    ).toBe('The model stopped.');
  });

  it('still says something when an error event has no message', () => {
    expect(
      errorMessage({ type: 'server-error', error: { code: 'x', message: '', retryable: false } }),
    ).toMatch(/\S/);
  });

  it('says that invalid input was not sent, and why', () => {
    expect(
      errorMessage({
        type: 'failed',
        failure: { kind: 'invalid', message: 'prompt must not be blank' },
      }),
    ).toBe('Nothing was sent: prompt must not be blank.');
  });

  it('shows the message of a failed request as it is', () => {
    expect(
      errorMessage({
        type: 'failed',
        failure: { kind: 'cut', message: 'The stream was cut off before it finished.' },
      }),
    ).toBe('The stream was cut off before it finished.');
  });
});

describe('statusLabel', () => {
  it('has a label for every state', () => {
    for (const state of STREAM_STATES) expect(statusLabel(state, { retry: 0 })).toMatch(/\S/);
  });

  it('says when it is reconnecting, and which retry it is', () => {
    expect(statusLabel('connecting', { retry: 0 })).toBe(STATUS_LABELS.connecting);
    expect(statusLabel('connecting', { retry: 2 })).toBe('Reconnecting (retry 2)…');
  });
});
