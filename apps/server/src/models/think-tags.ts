/*
 * Splits a model's thinking out of its answer when both come in `content`, the way local models
 * served without a reasoning parser write it: `<think>…</think>`, then the answer. Streaming: the
 * tags may arrive split across chunks at any character, and only what could still be part of a
 * tag (or the whitespace around the thinking) is held back.
 */

/**
 * - `split`: a `<think>` block at the very start of the content (after whitespace) is thinking;
 *   content that starts otherwise is all answer, streamed as it comes.
 * - `open`: the content starts inside the block, as with models whose prompt template already
 *   wrote `<think>` (DeepSeek R1's distills, QwQ, served raw): everything up to `</think>` is
 *   thinking. An opening tag, when one comes anyway, is dropped.
 * - `off`: no splitting; the content is the answer, tags and all.
 */
export const THINK_TAG_MODES = ['split', 'open', 'off'] as const;
export type ThinkTagMode = (typeof THINK_TAG_MODES)[number];

const OPEN = '<think>';
const CLOSE = '</think>';

/** What one piece of content holds: thinking, then answer; either may be empty. */
export interface SplitContent {
  reasoning: string;
  answer: string;
}

type State = 'start' | 'thinking' | 'after' | 'answer';

/**
 * One stream's splitter: `push` each chunk of content, then `end` once. The whitespace that
 * frames the thinking (after `<think>`, before and after `</think>`) belongs to neither part; an
 * answer with no thinking keeps every character it has.
 */
export class ThinkTagSplitter {
  readonly #mode: ThinkTagMode;
  #state: State;
  /** Held back: the start of the content, or the end of the thinking, not yet decided. */
  #held = '';
  #reasoningStarted = false;

  constructor(mode: ThinkTagMode) {
    this.#mode = mode;
    this.#state = mode === 'off' ? 'answer' : 'start';
  }

  push(text: string): SplitContent {
    // The hot path once thinking is over: an answer chunk goes through untouched.
    if (this.#state === 'answer') return { reasoning: '', answer: text };
    const out: SplitContent = { reasoning: '', answer: '' };
    this.#held += text;
    this.#advance(out);
    return out;
  }

  /** What was still held back, now that no more content comes. */
  end(): SplitContent {
    const out: SplitContent = { reasoning: '', answer: '' };
    const held = this.#held;
    this.#held = '';
    // Held at the start is whitespace and part of an opening tag that never finished.
    if (this.#state === 'start' && this.#mode === 'split') out.answer = held;
    else if (this.#state === 'start' || this.#state === 'thinking') this.#think(out, held);
    out.reasoning = out.reasoning.trimEnd();
    this.#state = 'answer';
    return out;
  }

  #advance(out: SplitContent): void {
    if (this.#state === 'start') {
      const held = this.#held;
      const rest = held.trimStart();
      // Still possibly the opening tag: wait for more.
      if (rest.length < OPEN.length && OPEN.startsWith(rest)) return;
      if (rest.startsWith(OPEN)) {
        this.#held = rest.slice(OPEN.length);
        this.#state = 'thinking';
      } else if (this.#mode === 'open') {
        this.#state = 'thinking';
      } else {
        this.#held = '';
        this.#state = 'answer';
        out.answer = held;
        return;
      }
    }
    if (this.#state === 'thinking') {
      const held = this.#held;
      const close = held.indexOf(CLOSE);
      if (close === -1) {
        // Keep what may be the start of `</think>`, and the whitespace before it.
        const keep = held.length - partialTagLength(held);
        const emit = held.slice(0, keep).trimEnd();
        this.#held = held.slice(emit.length);
        this.#think(out, emit);
        return;
      }
      this.#think(out, held.slice(0, close).trimEnd());
      this.#held = held.slice(close + CLOSE.length);
      this.#state = 'after';
    }
    if (this.#state === 'after') {
      const answer = this.#held.trimStart();
      this.#held = '';
      if (answer === '') return;
      this.#state = 'answer';
      out.answer = answer;
    }
  }

  #think(out: SplitContent, text: string): void {
    const reasoning = this.#reasoningStarted ? text : text.trimStart();
    if (reasoning === '') return;
    this.#reasoningStarted = true;
    out.reasoning += reasoning;
  }
}

/** How many characters at the end of `text` could begin `</think>`. */
function partialTagLength(text: string): number {
  for (let length = Math.min(CLOSE.length - 1, text.length); length > 0; length--) {
    if (CLOSE.startsWith(text.slice(text.length - length))) return length;
  }
  return 0;
}
