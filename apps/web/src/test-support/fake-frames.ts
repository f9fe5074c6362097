import type { FrameScheduler } from '../rendering/renderer.ts';

/** Callbacks that run only when the test says so, with what the test gives them. */
export function fakeCallbacks<Args extends unknown[]>() {
  const callbacks = new Map<number, (...args: Args) => void>();
  let next = 1;
  return {
    scheduler: {
      request(callback: (...args: Args) => void): number {
        callbacks.set(next, callback);
        return next++;
      },
      cancel(handle: number): void {
        callbacks.delete(handle);
      },
    },
    pending: () => callbacks.size,
    run(...args: Args): void {
      const due = [...callbacks.values()];
      callbacks.clear();
      for (const callback of due) callback(...args);
    },
  };
}

/** Frames run only when the test says so, like a browser between two paints. */
export function fakeFrames() {
  const frames = fakeCallbacks<[]>();
  const scheduler: FrameScheduler = frames.scheduler;
  return { scheduler, pending: frames.pending, runFrame: () => frames.run() };
}
