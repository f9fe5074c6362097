/*
 * Paces every stream of the process from one timer. A timer per token per stream costs a timer
 * object, an abort listener and a callback per token, and spreads the wake-ups of thousands of
 * streams over thousands of macrotasks; here each firing of the one timer releases every stream
 * that is due, in order, in one batch.
 *
 * Waits with the same delay are due in the order they were made, so each delay gets its own FIFO
 * lane: adding a wait is O(1), releasing one is O(1), and the timer only has to look at the head
 * of each lane. A wait that is aborted is marked and skipped when its lane reaches it. A signal
 * gets one abort listener for all the waits made with it (a stream makes one wait per token, and
 * EventTarget listeners cost more than the wait itself).
 */

export interface Pacer {
  /** Resolves once `delayMs` have passed, or rejects with the signal's reason when it aborts first. */
  wait(delayMs: number, signal: AbortSignal): Promise<void>;
  /** Waits neither released nor aborted yet. */
  readonly pending: number;
}

export interface PacerOptions {
  /** A monotonic clock in milliseconds. */
  now?: () => number;
}

interface Waiter {
  readonly due: number;
  readonly resolve: () => void;
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
      const due = lane.peek()?.due ?? Number.POSITIVE_INFINITY;
      if (due < earliest) earliest = due;
    }
    if (earliest >= timerDue) return;
    disarm();
    if (earliest === Number.POSITIVE_INFINITY) return;
    timerDue = earliest;
    timer = setTimeout(release, Math.max(0, Math.ceil(earliest - now())));
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
      for (let waiter = lane.peek(); waiter !== undefined && waiter.due <= time; ) {
        lane.shift();
        if (!waiter.settled) {
          waiter.settled = true;
          pending--;
          waiter.siblings.delete(waiter);
          waiter.resolve();
        }
        waiter = lane.peek();
      }
      if (lane.empty) lanes.delete(delay);
    }
    arm();
  }

  return {
    get pending() {
      return pending;
    },
    wait(delayMs, signal) {
      if (signal.aborted) return Promise.reject(signal.reason);
      return new Promise<void>((resolve, reject) => {
        const siblings = waitsOf(signal);
        const waiter: Waiter = { due: now() + delayMs, resolve, reject, siblings, settled: false };
        siblings.add(waiter);
        let lane = lanes.get(delayMs);
        if (lane === undefined) {
          lane = new Lane();
          lanes.set(delayMs, lane);
        }
        lane.push(waiter);
        pending++;
        arm();
      });
    },
  };
}

/** The process-wide pacer the built-in models share. */
export const sharedPacer: Pacer = createPacer();
