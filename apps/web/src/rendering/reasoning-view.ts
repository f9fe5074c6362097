import { createRenderer, type RendererOptions, type TextSink } from './renderer.ts';
import { createBlockSink } from './text-blocks.ts';

/** The id of the latest answer's thinking: part of the page contract. */
export const REASONING_ID = 'gpt-reasoning';

export const THINKING_LABEL = 'Thinking…';

/** How long a model thought, in whole seconds: "Thought for 3 s" (never 0). */
export function thoughtLabel(ms: number): string {
  return `Thought for ${Math.max(1, Math.round(ms / 1000))} s`;
}

/** What the view needs of a `<details>`, its `<summary>` and its text; fakes in tests. */
export interface ReasoningParts {
  details: { open: boolean; hidden: boolean };
  summary: { textContent: string | null };
  text: TextSink;
}

export interface ReasoningView {
  /** A piece of thinking: the section shows, open, and the clock starts with the first piece. */
  push(text: string): void;
  /** The answer began: the thinking collapses (it stays, one click away) and says how long it took. */
  answerStarted(): void;
  /** The stream ended: whatever is queued is written, and the clock stops if it still ran. */
  end(): void;
  /** A restored answer's thinking, whole and collapsed; `ms` when it is known. */
  restore(text: string, ms?: number): void;
  clear(): void;
  /** How long the model thought, once it stopped; null before, and for an answer without thinking. */
  readonly thoughtMs: number | null;
}

/** The renderer's options (frames, `onRender`), and the clock. */
export interface ReasoningViewOptions extends RendererOptions {
  now?: () => number;
}

/**
 * One answer's thinking, in a `<details>` above the answer: open and streaming while the model
 * thinks, collapsed once the answer starts. Hidden while there is none, so answers of models that
 * do not think look as they always did. Text is batched per frame like the answer's.
 */
export function createReasoningView(
  parts: ReasoningParts,
  options: ReasoningViewOptions = {},
): ReasoningView {
  const now = options.now ?? (() => performance.now());
  const renderer = createRenderer(parts.text, options);
  let startedAt: number | null = null;
  let thoughtMs: number | null = null;

  function stopClock(): boolean {
    renderer.flush();
    if (startedAt === null || thoughtMs !== null) return false;
    thoughtMs = now() - startedAt;
    parts.summary.textContent = thoughtLabel(thoughtMs);
    return true;
  }

  function reset(): void {
    renderer.clear();
    startedAt = null;
    thoughtMs = null;
    parts.details.hidden = true;
    parts.details.open = false;
    parts.summary.textContent = THINKING_LABEL;
  }

  return {
    push(text) {
      if (text === '') return;
      if (startedAt === null) {
        startedAt = now();
        parts.details.hidden = false;
        parts.details.open = true;
        parts.summary.textContent = THINKING_LABEL;
      }
      renderer.push(text);
    },
    answerStarted() {
      if (stopClock()) parts.details.open = false;
    },
    end() {
      stopClock();
    },
    restore(text, ms) {
      reset();
      if (text === '') return;
      renderer.push(text);
      renderer.flush();
      parts.details.hidden = false;
      startedAt = 0;
      thoughtMs = ms ?? null;
      parts.summary.textContent = ms === undefined ? 'Thoughts' : thoughtLabel(ms);
    },
    clear: reset,
    get thoughtMs() {
      return thoughtMs;
    },
  };
}

/** `<details class="reasoning">`, hidden until there is thinking, for one answer. */
export function createReasoningElement(): { details: HTMLDetailsElement; parts: ReasoningParts } {
  const details = document.createElement('details');
  details.className = 'reasoning';
  details.hidden = true;
  const summary = document.createElement('summary');
  summary.className = 'reasoning-summary';
  summary.textContent = THINKING_LABEL;
  const text = document.createElement('div');
  text.className = 'reasoning-text';
  details.append(summary, text);
  return {
    details,
    parts: { details, summary, text: createBlockSink(text, () => document.createElement('span')) },
  };
}
