/*
 * Batches the writes of a turn of the event loop. A generation publishes after every token, and
 * writing to a socket costs the same whether it carries one event or fifty; so readers only ask
 * to be flushed, and one `setImmediate` per turn flushes each of them once, after every token
 * that the turn produced (the pacer releases all due streams in one timer callback) is in the
 * log. A stream's `start` and its first delta, ready together, go out in one write too.
 */

/** Something with buffered output, written when the scheduler runs. */
export interface Flushable {
  flush(): void;
  /**
   * The scheduler's mark, false to begin with: true while the target waits for its flush. A flag
   * on the target rather than a set in the scheduler, which thousands of streams a turn would
   * fill, grow and rehash every turn.
   */
  scheduled: boolean;
}

export type Defer = (run: () => void) => void;

export class FlushScheduler {
  readonly #defer: Defer;
  #due: Flushable[] = [];
  /** The list of the previous turn, emptied, so that turns reuse two lists. */
  #spare: Flushable[] = [];
  #afterFlush: (() => void)[] = [];
  #armed = false;
  #turns = 0;

  constructor(defer: Defer = setImmediate) {
    this.#defer = defer;
  }

  /** How many times the scheduler has run: a new number means a new turn has begun. */
  get turn(): number {
    return this.#turns;
  }

  /** Flushes `target` once at the end of this turn, however often it is scheduled before. */
  schedule(target: Flushable): void {
    if (target.scheduled) return;
    target.scheduled = true;
    this.#due.push(target);
    this.#arm();
  }

  /**
   * Resolves once the pending flushes have run. A producer that has made a lot in one turn waits
   * for this, so that its readers write (and can tell it to pause) before it makes more.
   */
  flushed(): Promise<void> {
    return new Promise((resolve) => {
      this.#afterFlush.push(resolve);
      this.#arm();
    });
  }

  #arm(): void {
    if (this.#armed) return;
    this.#armed = true;
    this.#defer(this.#run);
  }

  readonly #run = (): void => {
    this.#armed = false;
    this.#turns++;
    const due = this.#due;
    const afterFlush = this.#afterFlush;
    // What a flush schedules (a drained socket's next write, say) waits for the next turn.
    this.#due = this.#spare;
    this.#afterFlush = [];
    let next = 0;
    try {
      while (next < due.length) {
        const target = due[next++] as Flushable;
        target.scheduled = false;
        target.flush();
      }
    } finally {
      // A flush that throws leaves the targets after it to the next turn, still marked, rather
      // than marked for ever and never flushed again.
      for (; next < due.length; next++) this.#due.push(due[next] as Flushable);
      if (this.#due.length > 0) this.#arm();
      due.length = 0;
      this.#spare = due;
      for (const resolve of afterFlush) resolve();
    }
  };
}

/** The process-wide scheduler: every stream's writes of a turn go out together. */
export const sharedFlushScheduler = new FlushScheduler();
