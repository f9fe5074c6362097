import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHeartbeatTicker } from './heartbeat-ticker.ts';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('createHeartbeatTicker', () => {
  it('beats every member once per period, from a single interval', () => {
    const ticker = createHeartbeatTicker(1000);
    const counts = Array.from({ length: 1000 }, () => 0);
    counts.forEach((_, index) => {
      ticker.add(() => {
        counts[index] = (counts[index] ?? 0) + 1;
      });
    });
    expect(vi.getTimerCount()).toBe(1);

    vi.advanceTimersByTime(999);
    expect(counts.every((count) => count === 0)).toBe(true);
    vi.advanceTimersByTime(2001);
    expect(counts.every((count) => count === 3)).toBe(true);
  });

  it('stops beating a member that leaves, and the others keep beating', () => {
    const ticker = createHeartbeatTicker(100);
    const staying = vi.fn();
    const leaving = vi.fn();
    ticker.add(staying);
    const remove = ticker.add(leaving);

    vi.advanceTimersByTime(100);
    remove();
    vi.advanceTimersByTime(300);
    expect(leaving).toHaveBeenCalledTimes(1);
    expect(staying).toHaveBeenCalledTimes(4);
    expect(ticker.size).toBe(1);
  });

  it('lets a member leave from inside its own beat', () => {
    const ticker = createHeartbeatTicker(100);
    const after = vi.fn();
    const remove = ticker.add(() => remove());
    ticker.add(after);
    vi.advanceTimersByTime(200);
    expect(ticker.size).toBe(1);
    expect(after).toHaveBeenCalledTimes(2);
  });

  it('keeps beating the others when one beat throws', () => {
    const ticker = createHeartbeatTicker(100);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const healthy = vi.fn();
    ticker.add(() => {
      throw new Error('socket gone');
    });
    ticker.add(healthy);
    vi.advanceTimersByTime(100);
    expect(healthy).toHaveBeenCalledTimes(1);
  });

  it('holds no timer while nobody is beating, and starts again for a newcomer', () => {
    const ticker = createHeartbeatTicker(100);
    const first = ticker.add(() => undefined);
    first();
    expect(vi.getTimerCount()).toBe(0);

    const beat = vi.fn();
    ticker.add(beat);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(100);
    expect(beat).toHaveBeenCalledTimes(1);
  });

  it('beats a function added twice once per registration', () => {
    const ticker = createHeartbeatTicker(100);
    const beat = vi.fn();
    const removeFirst = ticker.add(beat);
    ticker.add(beat);
    removeFirst();
    vi.advanceTimersByTime(100);
    expect(beat).toHaveBeenCalledTimes(1);
  });
});
