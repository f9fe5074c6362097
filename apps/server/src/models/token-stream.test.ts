import { describe, expect, it } from 'vitest';
import type { TextStream } from './model.ts';
import { createPacer, type Pacer } from './pacer.ts';
import { streamTokens } from './token-stream.ts';

/** A pacer that wakes each sleeper when the test says so, and records the order of things. */
function steppedPacer(trail: string[]) {
  const wakes: (() => void)[] = [];
  // The clock never moves: every token is woken by the test, none falls due on its own.
  const pacer: Pacer = {
    now: () => 0,
    get pending() {
      return wakes.length;
    },
    sleep(sleeper, delayMs, from = 0) {
      trail.push('sleep');
      wakes.push(() => sleeper.wake(from + delayMs, from + delayMs));
      return { cancel: () => undefined };
    },
  };
  const release = async () => {
    wakes.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { pacer, release };
}

async function drain(stream: TextStream) {
  const tokens: string[] = [];
  for (;;) {
    const step = await stream.next();
    if (step.done) return { tokens, completion: step.value };
    if (typeof step.value !== 'string') throw new Error('a stream without thinking thought');
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
    expect(trail).toEqual(['sleep']);

    await release();
    expect(await first).toEqual({ done: false, value: 'a' });
    expect(trail).toEqual(['sleep', 'answer']);
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
    expect(trail).toEqual(['sleep', 'sleep', 'sleep']);
  });

  it('hands over the tokens that fell due meanwhile as one chunk, and keeps its pace', async () => {
    const pacer = createPacer({ now: () => clock });
    let clock = 0;
    const stream = streamTokens(['a', 'b', 'c', 'd', 'e', 'f'], {
      promptTokens: 1,
      delayMs: 50,
      maxTokens: 5,
      signal: new AbortController().signal,
      pacer,
    });
    const first = stream.next();
    clock = 175;
    // Due at 50: 'a'. Then 'b' (100) and 'c' (150) fell due while the process was busy.
    expect(await first).toEqual({ done: false, value: 'abc' });
    clock = 200;
    expect(await stream.next()).toEqual({ done: false, value: 'd' });
    clock = 1000;
    // maxTokens caps the catch-up too.
    expect(await stream.next()).toEqual({ done: false, value: 'e' });
    expect(await stream.next()).toMatchObject({
      done: true,
      value: { finishReason: 'length', usage: { completionTokens: 5 } },
    });
  });

  it('takes what fell due by the time of the round, and leaves the rest for the next', async () => {
    let wake = (_roundTime: number) => {};
    const pacer: Pacer = {
      // The round began at 60; by the time this stream's turn comes the clock says 175.
      now: () => 175,
      pending: 0,
      sleep(sleeper, delayMs, from = 0) {
        wake = (roundTime) => sleeper.wake(from + delayMs, roundTime);
        return { cancel: () => undefined };
      },
    };
    const stream = streamTokens(['a', 'b', 'c', 'd'], {
      promptTokens: 1,
      delayMs: 50,
      signal: new AbortController().signal,
      pacer,
    });
    const first = stream.next();
    wake(60);
    // 'b' (100) and 'c' (150) fell due during the round: the next round takes them, so this
    // stream is not skipped by a round that starts before its next token is due.
    expect(await first).toEqual({ done: false, value: 'a' });
    const second = stream.next();
    wake(180);
    expect(await second).toEqual({ done: false, value: 'bc' });
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

describe('streamTokens with thinking', () => {
  const fixedClock = (at: { now: number }) => createPacer({ now: () => at.now });

  it('plays the thinking first, then the answer, on one pace, and counts both', async () => {
    const trail: string[] = [];
    const { pacer, release } = steppedPacer(trail);
    const stream = streamTokens(['Yes', '.'], {
      thinking: () => ['Let', ' me', ' think'],
      promptTokens: 2,
      delayMs: 50,
      signal: new AbortController().signal,
      pacer,
    });
    const chunks: unknown[] = [];
    const done = (async () => {
      for (;;) {
        const step = await stream.next();
        if (step.done) return step.value;
        chunks.push(step.value);
      }
    })();
    for (let index = 0; index < 5; index++) await release();
    expect(await done).toEqual({
      finishReason: 'stop',
      usage: { promptTokens: 2, completionTokens: 5, reasoningTokens: 3 },
    });
    expect(chunks).toEqual([
      { reasoning: 'Let' },
      { reasoning: ' me' },
      { reasoning: ' think' },
      'Yes',
      '.',
    ]);
    // One pause per token, thinking included: it takes as long as a real model's would.
    expect(trail).toEqual(['sleep', 'sleep', 'sleep', 'sleep', 'sleep']);
  });

  it('never joins thinking and answer into one chunk when both fell due together', async () => {
    const at = { now: 0 };
    const stream = streamTokens(['Yes', '.'], {
      thinking: () => ['Let', ' me'],
      promptTokens: 1,
      delayMs: 50,
      signal: new AbortController().signal,
      pacer: fixedClock(at),
    });
    const first = stream.next();
    at.now = 1000;
    expect(await first).toEqual({ done: false, value: { reasoning: 'Let me' } });
    expect(await stream.next()).toEqual({ done: false, value: 'Yes.' });
    expect((await stream.next()).done).toBe(true);
  });

  it('counts thinking towards maxTokens, as an upstream does', async () => {
    const stream = streamTokens(['Yes'], {
      thinking: () => ['a', 'b', 'c'],
      promptTokens: 1,
      delayMs: 0,
      maxTokens: 2,
      signal: new AbortController().signal,
    });
    const chunks: unknown[] = [];
    for (;;) {
      const step = await stream.next();
      if (step.done) {
        expect(step.value).toEqual({
          finishReason: 'length',
          usage: { promptTokens: 1, completionTokens: 2, reasoningTokens: 2 },
        });
        break;
      }
      chunks.push(step.value);
    }
    expect(chunks).toEqual([{ reasoning: 'a' }, { reasoning: 'b' }]);
  });

  it('answers at once when the thinking is empty', async () => {
    const stream = streamTokens(['Yes'], {
      thinking: () => [],
      promptTokens: 1,
      delayMs: 0,
      signal: new AbortController().signal,
    });
    expect(await stream.next()).toEqual({ done: false, value: 'Yes' });
    expect(await stream.next()).toMatchObject({
      done: true,
      value: { usage: { completionTokens: 1, reasoningTokens: 0 } },
    });
  });
});
