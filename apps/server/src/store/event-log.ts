import type { StreamEvent, TerminalEvent } from '@gpt-stream/protocol';

/** What an event costs beyond its text: the array slot and the string's header, roughly. */
const EVENT_OVERHEAD_BYTES = 32;

/**
 * The events of one stream, kept compactly. A stream is always `start`, texts (deltas and
 * reasoning), then one terminal event, so only the texts and the terminal event are stored and
 * an event's sequence number is its position: 0 is `start`, 1..n the texts, n + 1 the terminal
 * event. Which texts are reasoning is kept as the places where the kind changes: a model thinks
 * in one run before it answers, so that is no entry at all for most streams and two for a
 * reasoning model's.
 * The one exception: a terminal event may be numbered further on (`instance_lost`, see
 * INSTANCE_LOST_SEQ), and the numbers between hold no event.
 */
export class EventLog {
  readonly #texts: string[] = [];
  /** Indexes into `#texts` where the kind flips, starting from delta; sorted. */
  readonly #switches: number[] = [];
  #terminal: TerminalEvent | undefined;
  #terminalSeq = 0;
  /** Approximate memory held (UTF-16 text plus overhead), for the memory store's bounds. */
  #bytes: number;

  /**
   * `heldChars`: what the stream holds besides its events while it runs (its input), counted in
   * `bytes` so that a running stream weighs what it holds from its first event on.
   */
  constructor(
    readonly streamId: string,
    readonly model: string,
    heldChars = 0,
  ) {
    this.#bytes = 2 * EVENT_OVERHEAD_BYTES + 2 * (streamId.length + model.length + heldChars);
  }

  /** How many events there are; the last one's sequence number is `length - 1`. */
  get length(): number {
    return this.#terminal ? this.#terminalSeq + 1 : 1 + this.#texts.length;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get terminal(): TerminalEvent | undefined {
    return this.#terminal;
  }

  /** Appends a delta and returns its sequence number. */
  pushText(text: string): number {
    return this.#push(text, false);
  }

  /** Appends a piece of reasoning and returns its sequence number. */
  pushReasoning(text: string): number {
    return this.#push(text, true);
  }

  #push(text: string, reasoning: boolean): number {
    if (this.#terminal) throw new Error(`stream ${this.streamId} has already ended`);
    if (reasoning !== (this.#switches.length % 2 === 1)) this.#switches.push(this.#texts.length);
    this.#texts.push(text);
    this.#bytes += 2 * text.length + EVENT_OVERHEAD_BYTES;
    return this.#texts.length;
  }

  /** Appends the one terminal event, numbered `seq` (by default the next), and returns `seq`. */
  end(event: TerminalEvent, seq = this.#texts.length + 1): number {
    if (this.#terminal) throw new Error(`stream ${this.streamId} has already ended`);
    if (!Number.isSafeInteger(seq) || seq <= this.#texts.length) {
      throw new RangeError(`stream ${this.streamId} cannot end at ${seq}`);
    }
    this.#terminal = event;
    this.#terminalSeq = seq;
    this.#bytes += EVENT_OVERHEAD_BYTES;
    return seq;
  }

  /** `seq`, or the terminal event's number when `seq` falls in the numbers it skipped. */
  firstFrom(seq: number): number {
    return this.#terminal && seq > this.#texts.length && seq < this.#terminalSeq
      ? this.#terminalSeq
      : seq;
  }

  /** The text of the delta at `seq`; undefined for every other event. */
  textAt(seq: number): string | undefined {
    if (seq === 0 || (this.#switches.length > 0 && this.#isReasoning(seq - 1))) return undefined;
    return this.#texts[seq - 1];
  }

  eventAt(seq: number): StreamEvent {
    if (seq === 0) return { type: 'start', data: { streamId: this.streamId, model: this.model } };
    const text = this.#texts[seq - 1];
    if (text !== undefined) {
      return { type: this.#isReasoning(seq - 1) ? 'reasoning' : 'delta', data: { text } };
    }
    if (this.#terminal && seq === this.#terminalSeq) return this.#terminal;
    throw new RangeError(`stream ${this.streamId} has no event ${seq}`);
  }

  /** Odd: that many flips from delta is reasoning. */
  #isReasoning(index: number): boolean {
    const switches = this.#switches;
    let low = 0;
    let high = switches.length;
    // The switches at or before `index`: the last one is usually it, so test that first.
    if (high === 0 || index >= (switches[high - 1] as number)) return high % 2 === 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((switches[middle] as number) <= index) low = middle + 1;
      else high = middle;
    }
    return low % 2 === 1;
  }
}
