/*
 * Paces every stream of the process from one timer. A timer per token per stream costs a timer
 * object, an abort listener and a callback per token, and spreads the wake-ups of thousands of
 * streams over thousands of macrotasks; here each firing of the one timer releases every stream
 * that is due, in order, in one batch.
 *
 * A stream waits from the time its previous wait was due, not from when it got round to waiting
 * again: like a model, it keeps its pace when the process is busy, and a wait that is already due
 * resolves at once.
 *
 * Waits with the same delay are due in the order they were made, so each delay gets its own FIFO
 * lane: adding a wait is O(1), releasing one is O(1), and the timer only has to look at the head
 * of each lane. A wait that is aborted is marked and skipped when its lane reaches it. A signal
 * gets one abort listener for all the waits made with it (a stream makes one wait per token, and
 * EventTarget listeners cost more than the wait itself).
 */

export interface Pacer {
  /** The clock waits are measured on, in milliseconds. */
  now(): number;
  /**
   * Resolves with its due time once `delayMs` have passed since `from` (default: now), or rejects
   * with the signal's reason when it aborts first. A wait that is already due resolves at once.
   */
  wait(delayMs: number, signal: AbortSignal, from?: number): Promise<number>;
  /** Waits neither released nor aborted yet. */
  readonly pending: number;
}

export interface PacerOptions {
  /** A monotonic clock in milliseconds. */
  now?: () => number;
}

interface Waiter {
  /** When it is due, which it resolves with, so that a stream keeps its own pace. */
  readonly scheduled: number;
  readonly resolve: (due: number) => void;
  readonly reject: (reason: unknown) => void;
  /** The waits of the same signal, this one among them until it settles. */
  readonly siblings: Set<Waiter>;
  settled: boolean;
}

/** Waits of one delay, due in the order they were added. */
class Lane {
  readonly #waiters: Waiter[] = [];
  #head = 0;

  get empty(): boolean {
    return this.#head === this.#waiters.length;
  }

  peek(): Waiter | undefined {
    return this.#waiters[this.#head];
  }

  push(waiter: Waiter): void {
    this.#waiters.push(waiter);
  }

  shift(): Waiter | undefined {
    const waiter = this.#waiters[this.#head];
    if (waiter === undefined) return undefined;
    this.#head++;
    // Drop the consumed prefix now and then, so a busy lane does not grow for ever.
    if (this.#head >= 1024 && this.#head * 2 >= this.#waiters.length) {
      this.#waiters.splice(0, this.#head);
      this.#head = 0;
    }
    return waiter;
  }
}

export function createPacer({ now = () => performance.now() }: PacerOptions = {}): Pacer {
  const lanes = new Map<number, Lane>();
  const waitsBySignal = new WeakMap<AbortSignal, Set<Waiter>>();
  let pending = 0;
  let timer: NodeJS.Timeout | undefined;
  let timerDue = Number.POSITIVE_INFINITY;

  const disarm = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    timerDue = Number.POSITIVE_INFINITY;
  };

  const arm = () => {
    let earliest = Number.POSITIVE_INFINITY;
    for (const lane of lanes.values()) {
      const due = lane.peek()?.scheduled ?? Number.POSITIVE_INFINITY;
      if (due < earliest) earliest = due;
    }
    if (earliest >= timerDue) return;
    disarm();
    if (earliest === Number.POSITIVE_INFINITY) return;
    timerDue = earliest;
    timer = setTimeout(release, Math.max(0, Math.ceil(earliest - now())));
  };

  const laneFor = (delayMs: number): Lane => {
    let lane = lanes.get(delayMs);
    if (lane === undefined) {
      lane = new Lane();
      lanes.set(delayMs, lane);
    }
    return lane;
  };

  const abortAll = (waiters: Set<Waiter>, reason: unknown) => {
    for (const waiter of waiters) {
      waiter.settled = true;
      pending--;
      waiter.reject(reason);
    }
    waiters.clear();
    // Nothing left to wake: drop the timer so an idle process can exit.
    if (pending === 0) {
      lanes.clear();
      disarm();
    }
  };

  const waitsOf = (signal: AbortSignal): Set<Waiter> => {
    let waiters = waitsBySignal.get(signal);
    if (waiters === undefined) {
      const fresh = new Set<Waiter>();
      signal.addEventListener('abort', () => abortAll(fresh, signal.reason), { once: true });
      waitsBySignal.set(signal, fresh);
      waiters = fresh;
    }
    return waiters;
  };

  function release() {
    timer = undefined;
    timerDue = Number.POSITIVE_INFINITY;
    const time = now();
    for (const [delay, lane] of lanes) {
      for (let waiter = lane.peek(); waiter !== undefined && waiter.scheduled <= time; ) {
        lane.shift();
        if (!waiter.settled) {
          waiter.settled = true;
          pending--;
          waiter.siblings.delete(waiter);
          waiter.resolve(waiter.scheduled);
        }
        waiter = lane.peek();
      }
      if (lane.empty) lanes.delete(delay);
    }
    arm();
  }

  return {
    now,
    get pending() {
      return pending;
    },
    wait(delayMs, signal, from) {
      if (signal.aborted) return Promise.reject(signal.reason);
      const time = now();
      const scheduled = (from ?? time) + delayMs;
      if (scheduled <= time) return Promise.resolve(scheduled);
      // A wait made late, from an earlier due time, queues behind waits made before it that are
      // due later: it is released with them, still no more than one delay after it was made.
      const lane = laneFor(delayMs);
      return new Promise<number>((resolve, reject) => {
        const siblings = waitsOf(signal);
        const waiter: Waiter = { scheduled, resolve, reject, siblings, settled: false };
        siblings.add(waiter);
        lane.push(waiter);
        pending++;
        arm();
      });
    },
  };
}

/** The process-wide pacer the built-in models share. */
export const sharedPacer: Pacer = createPacer();
