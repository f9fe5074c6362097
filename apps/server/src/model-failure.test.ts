import { describe, expect, it } from 'vitest';
import { MODEL_FAILED, terminalErrorFor } from './model-failure.ts';

class ModelError extends Error {
  override name = 'ModelError';
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

describe('terminalErrorFor', () => {
  it('passes a model error on as it is', () => {
    expect(terminalErrorFor(new ModelError('rate_limited', 'Slow down.', true))).toEqual({
      code: 'rate_limited',
      message: 'Slow down.',
      retryable: true,
    });
  });

  it.each([
    ['a plain error', new Error('secret upstream detail')],
    ['a system error with a code', Object.assign(new Error('ECONNRESET 10.0.0.3'), { code: 'X' })],
    ['something thrown that is not an error', 'oops'],
  ])('hides %s behind model_failed', (_name, error) => {
    expect(terminalErrorFor(error)).toEqual(MODEL_FAILED);
  });
});
