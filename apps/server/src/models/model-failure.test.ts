import { describe, expect, it } from 'vitest';
import { ModelError } from './model.ts';
import { MODEL_FAILED, terminalErrorFor } from './model-failure.ts';

describe('terminalErrorFor', () => {
  it('passes a model error on as it is', () => {
    expect(
      terminalErrorFor(
        new ModelError({ code: 'upstream_rate_limited', message: 'Slow down.', retryable: true }),
      ),
    ).toEqual({
      code: 'upstream_rate_limited',
      message: 'Slow down.',
      retryable: true,
    });
  });

  it.each([
    ['a plain error', new Error('secret upstream detail')],
    ['a system error with a code', Object.assign(new Error('ECONNRESET 10.0.0.3'), { code: 'X' })],
    [
      'an error that only looks like a model error',
      Object.assign(new Error('internal'), { name: 'ModelError', code: 'x', retryable: true }),
    ],
    ['something thrown that is not an error', 'oops'],
  ])('hides %s behind model_failed', (_name, error) => {
    expect(terminalErrorFor(error)).toEqual(MODEL_FAILED);
  });
});
