import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { streamTokens } from './models/token-stream.ts';
import { createPacer } from './pacer.ts';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

/** A pacer on the fake clock, so a test moves time by hand. */
const fakeClockPacer = () => createPacer({ now: () => Date.now() });

/** Starts a wait and records when it settles. */
function track(promise: Promise<unknown>) {
  const state: { settled: 'no' | 'resolved' | 'rejected'; reason?: unknown } = { settled: 'no' };
  promise.then(
    () => {
      state.settled = 'resolved';
    },
    (reason: unknown) => {
      state.settled = 'rejected';
      state.reason = reason;
    },
  );
  return state;
}

describe('createPacer', () => {
  it('releases a wait once its delay has passed, not before', async () => {
    const pacer = fakeClockPacer();
    const wait = track(pacer.wait(50, new AbortController().signal));
    await vi.advanceTimersByTimeAsync(49);
    expect(wait.settled).toBe('no');
    await vi.advanceTimersByTimeAsync(1);
    expect(wait.settled).toBe('resolved');
    expect(pacer.pending).toBe(0);
  });

  it('paces thousands of waits, made at different times, with one timer', async () => {
    const pacer = fakeClockPacer();
    const waits = [];
    for (let index = 0; index < 5000; index++) {
      waits.push(track(pacer.wait(50, new AbortController().signal)));
      if (index % 100 === 99) await vi.advanceTimersByTimeAsync(1);
    }
    expect(vi.getTimerCount()).toBe(1);
    expect(pacer.pending).toBe(5000 - waits.filter((w) => w.settled === 'resolved').length);

    await vi.advanceTimersByTimeAsync(50);
    expect(waits.every((wait) => wait.settled === 'resolved')).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('releases every wait that is due in one firing of the timer', async () => {
    const pacer = fakeClockPacer();
    const waits = Array.from({ length: 100 }, () =>
      track(pacer.wait(20, new AbortController().signal)),
    );
    const spy = vi.spyOn(globalThis, 'setTimeout');
    await vi.advanceTimersByTimeAsync(20);
    expect(waits.every((wait) => wait.settled === 'resolved')).toBe(true);
    // Nothing is left to wait for, so the firing did not set another timer.
    expect(spy).not.toHaveBeenCalled();
  });

  it('releases shorter delays first, whatever order they were made in', async () => {
    const pacer = fakeClockPacer();
    const order: number[] = [];
    const signal = new AbortController().signal;
    const waits = [30, 10, 20, 10].map((delay) =>
      pacer.wait(delay, signal).then(() => order.push(delay)),
    );
    await vi.advanceTimersByTimeAsync(30);
    await Promise.all(waits);
    expect(order).toEqual([10, 10, 20, 30]);
  });

  it('waits from the due time it is given, and resolves with the time it was due', async () => {
    const pacer = fakeClockPacer();
    const signal = new AbortController().signal;
    const start = Date.now();
    const first = await Promise.all([pacer.wait(50, signal), vi.advanceTimersByTimeAsync(50)]);
    expect(first[0]).toBe(start + 50);

    // Busy for 30 ms: the next wait still ends 100 ms after the start, not 80 ms after now.
    vi.advanceTimersByTime(30);
    const second = track(pacer.wait(50, signal, first[0]));
    await vi.advanceTimersByTimeAsync(19);
    expect(second.settled).toBe('no');
    await vi.advanceTimersByTimeAsync(1);
    expect(second.settled).toBe('resolved');
  });

  it('resolves a wait that is already due without a timer', async () => {
    const pacer = fakeClockPacer();
    const signal = new AbortController().signal;
    const start = Date.now();
    vi.advanceTimersByTime(120);
    await expect(pacer.wait(50, signal, start)).resolves.toBe(start + 50);
    expect(vi.getTimerCount()).toBe(0);
    expect(pacer.pending).toBe(0);
  });

  it('releases a late wait with the waits queued before it, within one delay', async () => {
    const pacer = fakeClockPacer();
    const signal = new AbortController().signal;
    const start = Date.now();
    const early = track(pacer.wait(50, signal));
    vi.advanceTimersByTime(20);
    // Due at 30, but queued behind the wait made before it, which is due at 50.
    const late = pacer.wait(50, signal, start - 20);
    const lateState = track(late);
    await vi.advanceTimersByTimeAsync(29);
    expect([early.settled, lateState.settled]).toEqual(['no', 'no']);
    await vi.advanceTimersByTimeAsync(1);
    expect([early.settled, lateState.settled]).toEqual(['resolved', 'resolved']);
    expect(await late).toBe(start + 30);
  });

  it('rejects an aborted wait at once with the reason, and leaves the others alone', async () => {
    const pacer = fakeClockPacer();
    const abort = new AbortController();
    const aborted = track(pacer.wait(1000, abort.signal));
    const other = track(pacer.wait(1000, new AbortController().signal));

    abort.abort('reader left');
    await vi.advanceTimersByTimeAsync(0);
    expect(aborted).toEqual({ settled: 'rejected', reason: 'reader left' });
    expect(other.settled).toBe('no');
    expect(pacer.pending).toBe(1);

    await vi.advanceTimersByTimeAsync(1000);
    expect(other.settled).toBe('resolved');
  });

  it('drops its timer when every wait has been aborted', async () => {
    const pacer = fakeClockPacer();
    const aborts = Array.from({ length: 10 }, () => new AbortController());
    for (const abort of aborts) track(pacer.wait(60_000, abort.signal));
    expect(vi.getTimerCount()).toBe(1);
    for (const abort of aborts) abort.abort();
    expect(pacer.pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('listens to a signal once, however many waits are made with it', async () => {
    const pacer = fakeClockPacer();
    const abort = new AbortController();
    const listen = vi.spyOn(abort.signal, 'addEventListener');
    for (let token = 0; token < 10; token++) {
      const wait = pacer.wait(5, abort.signal);
      await vi.advanceTimersByTimeAsync(5);
      await wait;
    }
    const both = [track(pacer.wait(5, abort.signal)), track(pacer.wait(7, abort.signal))];
    expect(listen).toHaveBeenCalledTimes(1);

    abort.abort('gone');
    await vi.advanceTimersByTimeAsync(0);
    expect(both).toEqual([
      { settled: 'rejected', reason: 'gone' },
      { settled: 'rejected', reason: 'gone' },
    ]);
    expect(pacer.pending).toBe(0);
  });

  it('rejects a wait whose signal is already aborted without scheduling anything', async () => {
    const pacer = fakeClockPacer();
    const abort = new AbortController();
    abort.abort(new Error('gone'));
    await expect(pacer.wait(10, abort.signal)).rejects.toThrow('gone');
    expect(pacer.pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('streamTokens on a pacer', () => {
  const options = (pacer: ReturnType<typeof createPacer>, signal: AbortSignal) => ({
    promptTokens: 1,
    delayMs: 50,
    signal,
    pacer,
  });

  it('yields one token per delay, and many streams share one timer', async () => {
    const pacer = fakeClockPacer();
    const received = Array.from({ length: 200 }, () => [] as string[]);
    const runs = received.map(async (tokens) => {
      const stream = streamTokens(['a', 'b', 'c'], options(pacer, new AbortController().signal));
      for await (const token of stream) tokens.push(token);
    });

    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(50);
    expect(received.every((tokens) => tokens.join('') === 'a')).toBe(true);
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all(runs);
    expect(received.every((tokens) => tokens.join('') === 'abc')).toBe(true);
  });

  it('stops within the current pause when its signal aborts', async () => {
    const pacer = fakeClockPacer();
    const abort = new AbortController();
    const stream = streamTokens(['a', 'b'], options(pacer, abort.signal));
    const first = stream.next();
    await vi.advanceTimersByTimeAsync(50);
    expect(await first).toEqual({ done: false, value: 'a' });

    const second = track(stream.next().then(() => undefined));
    abort.abort('stop');
    await vi.advanceTimersByTimeAsync(0);
    expect(second).toEqual({ settled: 'rejected', reason: 'stop' });
    expect(pacer.pending).toBe(0);
  });
});
