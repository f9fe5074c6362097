import { describe, expect, it } from 'vitest';
import type { Pacer } from '../pacer.ts';
import { streamTokens } from './token-stream.ts';

/** A pacer that releases each wait when the test says so, and records the order of things. */
function steppedPacer(trail: string[]) {
  const releases: (() => void)[] = [];
  const pacer: Pacer = {
    get pending() {
      return releases.length;
    },
    wait() {
      trail.push('wait');
      return new Promise((resolve) => releases.push(resolve));
    },
  };
  const release = async () => {
    releases.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { pacer, release };
}

async function drain(stream: AsyncGenerator<string, unknown>) {
  const tokens: string[] = [];
  for (;;) {
    const step = await stream.next();
    if (step.done) return { tokens, completion: step.value };
    tokens.push(step.value);
  }
}

describe('streamTokens', () => {
  it('makes the answer only once the first token is due', async () => {
    const trail: string[] = [];
    const { pacer, release } = steppedPacer(trail);
    const stream = streamTokens(
      () => {
        trail.push('answer');
        return ['a', 'b'];
      },
      { promptTokens: 1, delayMs: 50, signal: new AbortController().signal, pacer },
    );
    const first = stream.next();
    await new Promise((resolve) => setImmediate(resolve));
    expect(trail).toEqual(['wait']);

    await release();
    expect(await first).toEqual({ done: false, value: 'a' });
    expect(trail).toEqual(['wait', 'answer']);
  });

  it('pauses before every token, and sends done right after the last one', async () => {
    const trail: string[] = [];
    const { pacer, release } = steppedPacer(trail);
    const done = drain(
      streamTokens(['a', 'b', 'c'], {
        promptTokens: () => 7,
        delayMs: 50,
        signal: new AbortController().signal,
        pacer,
      }),
    );
    for (let index = 0; index < 3; index++) await release();
    expect(await done).toEqual({
      tokens: ['a', 'b', 'c'],
      completion: { finishReason: 'stop', usage: { promptTokens: 7, completionTokens: 3 } },
    });
    expect(trail).toEqual(['wait', 'wait', 'wait']);
  });

  it.each([
    [0, [], 'length'],
    [2, ['a', 'b'], 'length'],
    [3, ['a', 'b', 'c'], 'stop'],
    [9, ['a', 'b', 'c'], 'stop'],
  ])('stops at maxTokens %i and says why', async (maxTokens, tokens, finishReason) => {
    const stream = streamTokens(['a', 'b', 'c'], {
      promptTokens: 1,
      delayMs: 0,
      maxTokens,
      signal: new AbortController().signal,
    });
    const result = await drain(stream);
    expect(result.tokens).toEqual(tokens);
    expect(result.completion).toMatchObject({
      finishReason,
      usage: { completionTokens: tokens.length },
    });
  });
});
