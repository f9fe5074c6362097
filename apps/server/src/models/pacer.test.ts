import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPacer, type Sleeper } from './pacer.ts';
import { streamTokens } from './token-stream.ts';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

/** A pacer on the fake clock, so a test moves time by hand. */
const fakeClockPacer = () => createPacer({ now: () => Date.now() });

/** A sleeper that records when it was woken, and with what due time. */
function sleeper() {
  const woken: number[] = [];
  const rounds: number[] = [];
  return {
    woken,
    rounds,
    wake(due: number, roundTime: number) {
      woken.push(due);
      rounds.push(roundTime);
    },
  };
}

describe('createPacer', () => {
  it('wakes a sleeper once its delay has passed, not before, with the time it was due', async () => {
    const pacer = fakeClockPacer();
    const start = Date.now();
    const one = sleeper();
    pacer.sleep(one, 50);
    await vi.advanceTimersByTimeAsync(49);
    expect(one.woken).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(one.woken).toEqual([start + 50]);
    expect(one.rounds).toEqual([start + 50]);
    expect(pacer.pending).toBe(0);
  });

  it('tells every sleeper of a round the same round time, however long the round takes', async () => {
    let clock = Date.now();
    const pacer = createPacer({ now: () => clock });
    const start = clock;
    const slow = { wake: () => (clock += 30) };
    const sleepers = [sleeper(), sleeper()];
    pacer.sleep(slow, 50);
    for (const one of sleepers) pacer.sleep(one, 50);
    clock = start + 50;
    await vi.advanceTimersByTimeAsync(50);
    expect(sleepers.map((one) => one.rounds)).toEqual([[start + 50], [start + 50]]);
  });

  it('paces thousands of sleepers, put to sleep at different times, with one timer', async () => {
    const pacer = fakeClockPacer();
    const sleepers = [];
    for (let index = 0; index < 5000; index++) {
      const one = sleeper();
      pacer.sleep(one, 50);
      sleepers.push(one);
      if (index % 100 === 99) await vi.advanceTimersByTimeAsync(1);
    }
    expect(vi.getTimerCount()).toBe(1);
    expect(pacer.pending).toBe(5000 - sleepers.filter((one) => one.woken.length > 0).length);

    await vi.advanceTimersByTimeAsync(50);
    expect(sleepers.every((one) => one.woken.length === 1)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('wakes every sleeper that is due in one firing of the timer', async () => {
    const pacer = fakeClockPacer();
    const sleepers = Array.from({ length: 100 }, () => sleeper());
    for (const one of sleepers) pacer.sleep(one, 20);
    const spy = vi.spyOn(globalThis, 'setTimeout');
    await vi.advanceTimersByTimeAsync(20);
    expect(sleepers.every((one) => one.woken.length === 1)).toBe(true);
    // Nothing is left to wake, so the firing did not set another timer.
    expect(spy).not.toHaveBeenCalled();
  });

  it('wakes shorter delays first, whatever order they were made in', async () => {
    const pacer = fakeClockPacer();
    const order: number[] = [];
    for (const delay of [30, 10, 20, 10]) pacer.sleep({ wake: () => order.push(delay) }, delay);
    await vi.advanceTimersByTimeAsync(30);
    expect(order).toEqual([10, 10, 20, 30]);
  });

  it('sleeps from the due time it is given, so a busy stream keeps its pace', async () => {
    const pacer = fakeClockPacer();
    const start = Date.now();
    const one = sleeper();
    pacer.sleep(one, 50);
    await vi.advanceTimersByTimeAsync(50);

    // Busy for 30 ms: the next sleep still ends 100 ms after the start, not 80 ms after now.
    vi.advanceTimersByTime(30);
    pacer.sleep(one, 50, one.woken[0]);
    await vi.advanceTimersByTimeAsync(19);
    expect(one.woken).toEqual([start + 50]);
    await vi.advanceTimersByTimeAsync(1);
    expect(one.woken).toEqual([start + 50, start + 100]);
  });

  it('wakes a sleep that is due already in the next round, in the order made, never at once', async () => {
    const pacer = fakeClockPacer();
    const start = Date.now();
    const order: string[] = [];
    pacer.sleep({ wake: () => order.push('on time') }, 50);
    // The process was busy for 120 ms: the clock moved, the timer has not fired yet.
    vi.setSystemTime(start + 120);
    pacer.sleep({ wake: (due) => order.push(`late, due at ${due - start}`) }, 50, start);
    // Made during a round, it must not run inside the code that made it.
    expect(order).toEqual([]);
    // The timer the first sleep set fires: it was due long ago on a busy process.
    await vi.advanceTimersByTimeAsync(50);
    expect(order).toEqual(['on time', 'late, due at 50']);
    expect(pacer.pending).toBe(0);
  });

  it('never wakes a sleep in the round that made it, however late it is', async () => {
    const pacer = fakeClockPacer();
    const woken: number[] = [];
    const eager: Sleeper = {
      wake(due) {
        woken.push(due);
        // Sleeps again at once, from a due time long past.
        if (woken.length < 3) pacer.sleep(eager, 10, due - 1000);
      },
    };
    pacer.sleep(eager, 10);
    await vi.advanceTimersByTimeAsync(10);
    expect(woken).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(woken).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(woken).toHaveLength(3);
  });

  it('serves streams it cannot keep the pace of once per round, in the same order', async () => {
    const pacer = fakeClockPacer();
    const order: string[] = [];
    // Each stream takes 20 ms to serve and sleeps again from when it was due, as a model does:
    // by the time the third is served, its next token is due already.
    const stream = (name: string): Sleeper => {
      const self: Sleeper = {
        wake(due) {
          order.push(name);
          vi.setSystemTime(Date.now() + 20);
          if (order.length < 9) pacer.sleep(self, 50, due);
        },
      };
      return self;
    };
    for (const name of ['a', 'b', 'c']) pacer.sleep(stream(name), 50);
    await vi.advanceTimersByTimeAsync(50);
    expect(order).toEqual(['a', 'b', 'c']);
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(order).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('wakes a late sleep with the sleeps queued before it, within one delay', async () => {
    const pacer = fakeClockPacer();
    const start = Date.now();
    const early = sleeper();
    pacer.sleep(early, 50);
    vi.advanceTimersByTime(20);
    // Due at 30, but queued behind the sleep made before it, which is due at 50.
    const late = sleeper();
    pacer.sleep(late, 50, start - 20);
    await vi.advanceTimersByTimeAsync(29);
    expect([early.woken, late.woken]).toEqual([[], []]);
    await vi.advanceTimersByTimeAsync(1);
    expect([early.woken, late.woken]).toEqual([[start + 50], [start + 30]]);
  });

  it('never wakes a cancelled sleep, and leaves the others alone', async () => {
    const pacer = fakeClockPacer();
    const cancelled = sleeper();
    const other = sleeper();
    const sleep = pacer.sleep(cancelled, 1000);
    pacer.sleep(other, 1000);

    sleep.cancel();
    sleep.cancel();
    expect(pacer.pending).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(cancelled.woken).toEqual([]);
    expect(other.woken).toHaveLength(1);
    // Cancelling after the wake changes nothing.
    sleep.cancel();
    expect(pacer.pending).toBe(0);
  });

  it('drops its timer when every sleep has been cancelled', async () => {
    const pacer = fakeClockPacer();
    const sleeps = Array.from({ length: 10 }, () => pacer.sleep(sleeper(), 60_000));
    expect(vi.getTimerCount()).toBe(1);
    for (const sleep of sleeps) sleep.cancel();
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
      for await (const token of stream) if (typeof token === 'string') tokens.push(token);
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

    const second = stream.next();
    abort.abort('stop');
    await expect(second).rejects.toBe('stop');
    expect(pacer.pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    // And it stays stopped.
    await expect(stream.next()).rejects.toBe('stop');
  });

  it('makes nothing and schedules nothing for a signal that aborted before it began', async () => {
    const pacer = fakeClockPacer();
    const abort = new AbortController();
    abort.abort('gone already');
    let made = false;
    const stream = streamTokens(
      () => {
        made = true;
        return ['a'];
      },
      options(pacer, abort.signal),
    );
    await expect(stream.next()).rejects.toBe('gone already');
    expect([made, pacer.pending, vi.getTimerCount()]).toEqual([false, 0, 0]);
  });

  it('refuses a second read while one is waiting, as nothing could answer it in order', async () => {
    const pacer = fakeClockPacer();
    const stream = streamTokens(['a', 'b'], options(pacer, new AbortController().signal));
    const first = stream.next();
    await expect(stream.next()).rejects.toThrow('one chunk at a time');
    await vi.advanceTimersByTimeAsync(50);
    expect(await first).toEqual({ done: false, value: 'a' });
  });

  it('fails the read when making the answer throws, as a model error', async () => {
    const pacer = fakeClockPacer();
    const stream = streamTokens(
      () => {
        throw new Error('no answer');
      },
      options(pacer, new AbortController().signal),
    );
    const first = stream.next();
    const settled = expect(first).rejects.toThrow('no answer');
    await vi.advanceTimersByTimeAsync(50);
    await settled;
  });
});
