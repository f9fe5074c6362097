import { describe, expect, it } from 'vitest';
import { FlushScheduler } from './flush-scheduler.ts';

/** A scheduler whose turns end only when the test says so. */
function manualScheduler() {
  const pending: (() => void)[] = [];
  const scheduler = new FlushScheduler((run) => pending.push(run));
  const endTurn = () => {
    for (const run of pending.splice(0)) run();
  };
  return { scheduler, pending, endTurn };
}

function counter() {
  const target = { flushes: 0, scheduled: false, flush: () => target.flushes++ };
  return target;
}

describe('FlushScheduler', () => {
  it('flushes a target once per turn, however often it was scheduled', () => {
    const { scheduler, pending, endTurn } = manualScheduler();
    const first = counter();
    const second = counter();
    for (let index = 0; index < 5; index++) scheduler.schedule(first);
    scheduler.schedule(second);
    expect(pending).toHaveLength(1);
    expect(first.flushes).toBe(0);

    endTurn();
    expect([first.flushes, second.flushes]).toEqual([1, 1]);
    endTurn();
    expect(first.flushes).toBe(1);
  });

  it('flushes again in a later turn when scheduled again, and counts the turns', () => {
    const { scheduler, endTurn } = manualScheduler();
    const target = counter();
    const before = scheduler.turn;
    scheduler.schedule(target);
    endTurn();
    scheduler.schedule(target);
    endTurn();
    expect(target.flushes).toBe(2);
    expect(scheduler.turn).toBe(before + 2);
  });

  it('flushes a target that a flush schedules in the next turn, once', () => {
    const { scheduler, pending, endTurn } = manualScheduler();
    let flushes = 0;
    const target = {
      scheduled: false,
      flush: () => {
        flushes++;
        if (flushes === 1) {
          scheduler.schedule(target);
          scheduler.schedule(target);
        }
      },
    };
    scheduler.schedule(target);
    endTurn();
    expect(flushes).toBe(1);
    expect(pending).toHaveLength(1);
    endTurn();
    expect(flushes).toBe(2);
    endTurn();
    expect(flushes).toBe(2);
  });

  it('flushes the targets after one that throws in the next turn', async () => {
    const { scheduler, pending, endTurn } = manualScheduler();
    const failing = {
      scheduled: false,
      flush: () => {
        throw new Error('write failed');
      },
    };
    const after = counter();
    scheduler.schedule(failing);
    scheduler.schedule(after);
    const waited = scheduler.flushed();
    expect(endTurn).toThrow('write failed');
    await waited;
    expect(after.flushes).toBe(0);
    expect(pending).toHaveLength(1);
    endTurn();
    expect(after.flushes).toBe(1);
    scheduler.schedule(failing);
    scheduler.schedule(after);
    expect(pending).toHaveLength(1);
  });

  it('tells a producer when the flushes it is waiting for have run', async () => {
    const { scheduler, endTurn } = manualScheduler();
    const target = counter();
    scheduler.schedule(target);
    let flushesSeen = -1;
    const waited = scheduler.flushed().then(() => {
      flushesSeen = target.flushes;
    });
    await Promise.resolve();
    expect(flushesSeen).toBe(-1);
    endTurn();
    await waited;
    expect(flushesSeen).toBe(1);
  });

  it('runs on its own after the current turn by default', async () => {
    const scheduler = new FlushScheduler();
    const target = counter();
    scheduler.schedule(target);
    expect(target.flushes).toBe(0);
    await scheduler.flushed();
    expect(target.flushes).toBe(1);
  });
});
