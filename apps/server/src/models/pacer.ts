/*
 * Paces every stream of the process from one timer. A timer per token per stream costs a timer
 * object and a callback per token, and spreads the wake-ups of thousands of streams over thousands
 * of macrotasks; here each firing of the one timer (a round) wakes every stream that is due, in
 * order, in one batch, and their writes go out together after it (see FlushScheduler).
 *
 * What waits is a Sleeper, woken by a plain call, not a promise: a stream sleeps once per token,
 * and a promise per sleep with the async steps around it cost about three times what the rest of
 * a token does.
 *
 * A sleep is measured from the time the previous one was due, not from when the stream got round
 * to sleeping again: like a model, a stream keeps its pace when the process is busy. A sleep that
 * is already due when it is made joins the end of its lane like any other, and waits for the next
 * round. So a process too busy to keep the pace serves every stream once per round, with all that
 * fell due meanwhile, and in the same order every round: the time between two writes of a stream
 * is the length of a round. Serving late streams first instead moves every other stream back,
 * making one gap of each longer by up to a whole round's writes.
 *
 * Sleeps with the same delay are due in the order they were made, so each delay gets its own FIFO
 * lane: adding a sleep is O(1), waking one is O(1), and the timer only has to look at the head of
 * each lane. A sleep that is cancelled is marked and skipped when its lane reaches it. A late sleep,
 * made from an earlier due time, queues behind sleeps made before it that are due later: it wakes
 * with them, still no more than one delay after it was made.
 */

/** Something the pacer wakes once, when its time has come. */
export interface Sleeper {
  /**
   * Called with the time the sleep was due, which may be a while ago on a busy process, and the
   * time of the round that woke it: what has fallen due by then belongs to this round, and what
   * falls due later to the next one, however long this round takes.
   */
  wake(due: number, roundTime: number): void;
}

/** A sleep the pacer has not woken yet. */
export interface Sleep {
  /** Forgets the sleep if it has not woken yet: its sleeper will not be woken. */
  cancel(): void;
}

export interface Pacer {
  /** The clock sleeps are measured on, in milliseconds. */
  now(): number;
  /** Wakes `sleeper` once `delayMs` have passed since `from` (default: now). */
  sleep(sleeper: Sleeper, delayMs: number, from?: number): Sleep;
  /** Sleeps neither woken nor cancelled yet. */
  readonly pending: number;
}

export interface PacerOptions {
  /** A monotonic clock in milliseconds. */
  now?: () => number;
}

/** A sleep in a lane: one small object, and its own handle, so cancelling needs no lookup. */
class PendingSleep implements Sleep {
  readonly sleeper: Sleeper;
  /** When it is due, which the sleeper is woken with, so that a stream keeps its own pace. */
  readonly due: number;
  /** The round it was made in: a round never wakes what it made itself. */
  readonly round: number;
  settled = false;
  readonly #onCancel: () => void;

  constructor(sleeper: Sleeper, due: number, round: number, onCancel: () => void) {
    this.sleeper = sleeper;
    this.due = due;
    this.round = round;
    this.#onCancel = onCancel;
  }

  cancel(): void {
    if (this.settled) return;
    this.settled = true;
    this.#onCancel();
  }
}

/** Sleeps of one delay, due in the order they were added. */
class Lane {
  readonly #sleeps: PendingSleep[] = [];
  #head = 0;

  get empty(): boolean {
    return this.#head === this.#sleeps.length;
  }

  peek(): PendingSleep | undefined {
    return this.#sleeps[this.#head];
  }

  push(sleep: PendingSleep): void {
    this.#sleeps.push(sleep);
  }

  shift(): PendingSleep | undefined {
    const sleep = this.#sleeps[this.#head];
    if (sleep === undefined) return undefined;
    this.#head++;
    // Drop the consumed prefix now and then, so a busy lane does not grow for ever.
    if (this.#head >= 1024 && this.#head * 2 >= this.#sleeps.length) {
      this.#sleeps.splice(0, this.#head);
      this.#head = 0;
    }
    return sleep;
  }
}

export function createPacer({ now = () => performance.now() }: PacerOptions = {}): Pacer {
  const lanes = new Map<number, Lane>();
  let pending = 0;
  /** Rounds so far; a sleep made during one carries its number. */
  let rounds = 0;
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
    timer = setTimeout(round, Math.max(0, Math.ceil(earliest - now())));
  };

  const laneFor = (delayMs: number): Lane => {
    let lane = lanes.get(delayMs);
    if (lane === undefined) {
      lane = new Lane();
      lanes.set(delayMs, lane);
    }
    return lane;
  };

  const wake = (sleep: PendingSleep, time: number) => {
    if (sleep.settled) return;
    sleep.settled = true;
    pending--;
    sleep.sleeper.wake(sleep.due, time);
  };

  const onCancel = () => {
    pending--;
    // Nothing left to wake: drop the timer so an idle process can exit.
    if (pending === 0) {
      lanes.clear();
      disarm();
    }
  };

  function round() {
    timer = undefined;
    timerDue = Number.POSITIVE_INFINITY;
    const time = now();
    const current = ++rounds;
    for (const [delay, lane] of lanes) {
      // A sleep that a sleeper makes as it wakes, due already or not, waits for the next round.
      for (let sleep = lane.peek(); sleep !== undefined; sleep = lane.peek()) {
        if (sleep.due > time || sleep.round === current) break;
        lane.shift();
        wake(sleep, time);
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
    sleep(sleeper, delayMs, from) {
      // A paced stream gives `from`, so it costs no clock read per token.
      const sleep = new PendingSleep(sleeper, (from ?? now()) + delayMs, rounds, onCancel);
      pending++;
      laneFor(delayMs).push(sleep);
      arm();
      return sleep;
    },
  };
}

/** The process-wide pacer the built-in models share. */
export const sharedPacer: Pacer = createPacer();
