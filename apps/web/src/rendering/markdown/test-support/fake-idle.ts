import { fakeCallbacks } from '../../../test-support/fake-frames.ts';
import type { IdleDeadlineLike, IdleScheduler } from '../idle-highlighting.ts';

/** Idle periods run only when the test says so, each as long as it says. */
export function fakeIdle() {
  const periods = fakeCallbacks<[IdleDeadlineLike]>();
  const scheduler: IdleScheduler = periods.scheduler;
  return {
    scheduler,
    pending: periods.pending,
    run(remaining: number, didTimeout = false) {
      periods.run({ didTimeout, timeRemaining: () => remaining });
    },
  };
}
