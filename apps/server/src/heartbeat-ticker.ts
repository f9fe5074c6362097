/*
 * One interval beats for every open stream. An interval per response costs a timer per stream
 * and wakes the process once per stream per period; a shared one wakes it once per period. A
 * stream's first beat comes within one period of joining, so the longest silence a reader sees
 * is still at most one period.
 */

export interface HeartbeatTicker {
  /** Calls `beat` once per period until the returned function is called. O(1) both ways. */
  add(beat: () => void): () => void;
  /** Members currently beating. */
  readonly size: number;
}

export function createHeartbeatTicker(periodMs: number): HeartbeatTicker {
  const beats = new Set<() => void>();
  let interval: NodeJS.Timeout | undefined;

  const tick = () => {
    for (const beat of beats) {
      try {
        beat();
      } catch (error) {
        // One broken response must not silence the others.
        console.error('heartbeat failed', error);
      }
    }
  };

  return {
    get size() {
      return beats.size;
    },
    add(beat) {
      // A function may join twice (two streams sharing one writer); each needs its own entry.
      const member = () => beat();
      beats.add(member);
      if (interval === undefined) {
        interval = setInterval(tick, periodMs);
        // Heartbeats alone never keep the process alive; the connections do.
        interval.unref();
      }
      return () => {
        beats.delete(member);
        if (beats.size === 0 && interval !== undefined) {
          clearInterval(interval);
          interval = undefined;
        }
      };
    },
  };
}
