import type { Chunk, Completion, TextStream } from './model.ts';
import { type Pacer, type Sleep, type Sleeper, sharedPacer } from './pacer.ts';

export interface TokenStreamOptions {
  /** Counted when the stream finishes, for the usage in `done`. */
  promptTokens: number | (() => number);
  delayMs: number;
  maxTokens?: number | undefined;
  signal: AbortSignal;
  /** Where the pauses come from; every stream shares one timer by default. */
  pacer?: Pacer;
  /**
   * Tokens of thinking, played before the answer at the same pace, as `reasoning` chunks; called
   * when the first token is due. They count towards `maxTokens`, as a real model's do.
   */
  thinking?: () => Iterable<string>;
}

type Step = IteratorResult<Chunk, Completion>;

/**
 * Plays tokens back at a model's pace: token n is due n × `delayMs` after the first, however busy
 * the process is. Tokens that fell due while the process could not serve the stream are handed
 * over together, as one chunk, the way an upstream's buffered chunks arrive: a stream that fell
 * behind catches up in one write instead of falling further behind with a write per token.
 *
 * A function as `tokens` is called only once the first token is due, so a stream that is still
 * waiting holds none of its answer. The signal ends a pause at once, so a reader that leaves
 * stops the stream within the current token.
 */
export function streamTokens(
  tokens: Iterable<string> | (() => Iterable<string>),
  options: TokenStreamOptions,
): TextStream {
  return new TokenStream(tokens, options);
}

/**
 * An iterator by hand rather than an async generator: it sleeps on the pacer and hands a chunk
 * over straight from the pacer's round, with one promise per chunk and no async steps of its
 * own. With thousands of paced streams that is most of what a token costs before it is written.
 */
class TokenStream implements TextStream, Sleeper {
  readonly #source: Iterable<string> | (() => Iterable<string>);
  readonly #promptTokens: number | (() => number);
  readonly #delayMs: number;
  readonly #limit: number;
  readonly #signal: AbortSignal;
  readonly #pacer: Pacer;
  readonly #thinking: (() => Iterable<string>) | undefined;
  #tokens: Iterator<string> | undefined;
  /** The token after the last one handed over, looked at early so `done` follows it at once. */
  #lookahead: IteratorResult<string> | undefined;
  /** Whether `#tokens` (and so the lookahead) is the thinking, not yet the answer. */
  #inThinking = false;
  #sent = 0;
  #thoughtTokens = 0;
  /** When the last token handed over was due. */
  #due = 0;
  #end: IteratorReturnResult<Completion> | undefined;
  /** How to answer the `next()` that is waiting for the pacer, and that wait. */
  #resolve: ((step: Step) => void) | undefined;
  #reject: ((reason: unknown) => void) | undefined;
  #sleep: Sleep | undefined;
  /** Set by the signal's 'abort': cheaper than asking the signal for every token. */
  #aborted = false;

  constructor(
    source: Iterable<string> | (() => Iterable<string>),
    { promptTokens, delayMs, maxTokens, signal, pacer = sharedPacer, thinking }: TokenStreamOptions,
  ) {
    this.#thinking = thinking;
    this.#source = source;
    this.#promptTokens = promptTokens;
    this.#delayMs = delayMs;
    this.#limit = maxTokens ?? Number.POSITIVE_INFINITY;
    this.#signal = signal;
    this.#pacer = pacer;
    this.#aborted = signal.aborted;
    signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<Step> {
    if (this.#resolve !== undefined) {
      return Promise.reject(new Error('a token stream is read one chunk at a time'));
    }
    if (this.#aborted) return Promise.reject(this.#signal.reason);
    if (this.#end !== undefined) return Promise.resolve(this.#end);
    const paced = this.#delayMs > 0 && this.#limit > 0;
    // The last token has gone: `done` at once, without another pause.
    if (!paced || this.#finished()) return this.#settle();
    return new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
      // The first token is due one delay from now, each later one one delay after the previous.
      this.#sleep = this.#pacer.sleep(
        this,
        this.#delayMs,
        this.#tokens === undefined ? undefined : this.#due,
      );
    });
  }

  wake(due: number, roundTime: number): void {
    const resolve = this.#resolve;
    const reject = this.#reject;
    // Nobody is reading: a stray wake must not take a chunk nobody will see.
    if (resolve === undefined || reject === undefined) return;
    this.#resolve = undefined;
    this.#reject = undefined;
    this.#sleep = undefined;
    this.#due = due;
    try {
      resolve(this.#take(roundTime));
    } catch (error) {
      reject(error);
    }
  }

  #settle(): Promise<Step> {
    try {
      return Promise.resolve(this.#take(this.#pacer.now()));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #finished(): boolean {
    return (
      this.#tokens !== undefined && (this.#lookahead?.done === true || this.#sent >= this.#limit)
    );
  }

  /** The next chunk: the token that is due and every later one that had fallen due by `now`. */
  #take(now: number): Step {
    if (this.#tokens === undefined) {
      const source = this.#source;
      this.#inThinking = this.#thinking !== undefined;
      this.#tokens = (
        this.#thinking ? this.#thinking() : typeof source === 'function' ? source() : source
      )[Symbol.iterator]();
      this.#lookahead = this.#read();
    }
    let next = this.#lookahead as IteratorResult<string>;
    if (next.done) return this.#finish('stop');
    if (this.#sent >= this.#limit) return this.#finish('length');
    // A chunk is all thinking or all answer: it ends where the thinking does.
    const thinking = this.#inThinking;
    let chunk = next.value;
    this.#count(thinking);
    next = this.#read();
    if (this.#delayMs > 0) {
      for (
        ;
        !next.done &&
        this.#inThinking === thinking &&
        this.#sent < this.#limit &&
        this.#due + this.#delayMs <= now;
      ) {
        chunk += next.value;
        this.#count(thinking);
        this.#due += this.#delayMs;
        next = this.#read();
      }
    }
    this.#lookahead = next;
    return { done: false, value: thinking ? { reasoning: chunk } : chunk };
  }

  /** The next token, the answer's once the thinking has run out. */
  #read(): IteratorResult<string> {
    const tokens = this.#tokens as Iterator<string>;
    const next = tokens.next();
    if (!next.done || !this.#inThinking) return next;
    this.#inThinking = false;
    const source = this.#source;
    this.#tokens = (typeof source === 'function' ? source() : source)[Symbol.iterator]();
    return this.#tokens.next();
  }

  #count(thinking: boolean): void {
    this.#sent++;
    if (thinking) this.#thoughtTokens++;
  }

  #finish(finishReason: Completion['finishReason']): IteratorReturnResult<Completion> {
    const promptTokens = this.#promptTokens;
    this.#end = {
      done: true,
      value: {
        finishReason,
        usage: {
          promptTokens: typeof promptTokens === 'function' ? promptTokens() : promptTokens,
          completionTokens: this.#sent,
          ...(this.#thinking ? { reasoningTokens: this.#thoughtTokens } : {}),
        },
      },
    };
    this.#signal.removeEventListener('abort', this.#onAbort);
    return this.#end;
  }

  readonly #onAbort = (): void => {
    this.#aborted = true;
    const reject = this.#reject;
    if (reject === undefined) return;
    this.#sleep?.cancel();
    this.#sleep = undefined;
    this.#resolve = undefined;
    this.#reject = undefined;
    reject(this.#signal.reason);
  };
}
