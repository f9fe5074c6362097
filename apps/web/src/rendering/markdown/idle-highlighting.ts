import type { CodeBlock } from './code-block.ts';

/** What an idle callback is told: requestIdleCallback's IdleDeadline, or a fake in tests. */
export interface IdleDeadlineLike {
  readonly didTimeout: boolean;
  timeRemaining(): number;
}

export interface IdleScheduler {
  request(callback: (deadline: IdleDeadlineLike) => void): number;
  cancel(handle: number): void;
}

/**
 * The longest an idle slice may run, and the slice a callback gets when the page was never idle
 * before the timeout: short enough that input and the next frame are not held up.
 */
export const MAX_SLICE_MS = 12;
export const BUSY_SLICE_MS = 4;
/** How long highlighting may wait for an idle moment: a page kept busy still gets its colours. */
const IDLE_TIMEOUT_MS = 250;
/**
 * More text than this within QUIET_MS is a stream arriving far faster than anyone reads (a model
 * streams some 400 characters a second): its colours wait until it slows down, so that they
 * take nothing from the text still to come, nor from the page's worker and server beside it.
 */
export const FAST_CHARS = 4000;
export const QUIET_MS = 200;

/** requestIdleCallback, or (Safari has none) a timer that pretends to a short idle period. */
export const idleCallbacks: IdleScheduler =
  typeof requestIdleCallback === 'function'
    ? {
        request: (callback) => requestIdleCallback(callback, { timeout: IDLE_TIMEOUT_MS }),
        cancel: (handle) => cancelIdleCallback(handle),
      }
    : {
        request(callback) {
          return window.setTimeout(() => {
            const end = performance.now() + BUSY_SLICE_MS;
            callback({ didTimeout: false, timeRemaining: () => end - performance.now() });
          }, 1);
        },
        cancel: (handle) => window.clearTimeout(handle),
      };

export interface IdleHighlighting {
  /** A block with plain lines that can be highlighted (its `onWaiting`). */
  add(block: CodeBlock): void;
  /** Counts text the answer was given, to tell a fast stream from a reader's pace. */
  wrote(chars: number): void;
  /** Runs `task` once, in idle time, when no fast stream is arriving: before any colouring. */
  whenQuiet(task: () => void): void;
  /** Forgets every block, for a new answer. */
  clear(): void;
}

/**
 * Highlights code in idle time, oldest line first. Tokenizing is most of what a code line costs
 * (Prism's TypeScript grammar alone is some 40 µs a line), so a line is shown as plain text when
 * it ends and gets its colours when the page has nothing else to do: a stream that arrives
 * faster than the page can colour it is on screen as fast as text, and coloured just after, and
 * one far faster than anyone reads (a replay, a local model's burst) once it slows down.
 * Every line is still highlighted exactly once, in order, by its block's own line highlighter.
 */
export function createIdleHighlighting(
  scheduler: IdleScheduler = idleCallbacks,
  now: () => number = () => performance.now(),
  delay: (callback: () => void, ms: number) => unknown = setTimeout,
): IdleHighlighting {
  const blocks = new Set<CodeBlock>();
  let tasks: (() => void)[] = [];
  let handle: number | null = null;
  /** The text written since `windowStart`, and until when the stream counts as fast. */
  let windowStart = Number.NEGATIVE_INFINITY;
  let windowChars = 0;
  let fastUntil = Number.NEGATIVE_INFINITY;
  let waiting = false;

  function run(deadline: IdleDeadlineLike): void {
    handle = null;
    if (now() < fastUntil) {
      if (waiting) return;
      waiting = true;
      delay(() => {
        waiting = false;
        if (blocks.size + tasks.length > 0) handle ??= scheduler.request(run);
      }, fastUntil - now());
      return;
    }
    const due = tasks;
    tasks = [];
    for (const task of due) task();
    const slice = deadline.didTimeout
      ? BUSY_SLICE_MS
      : Math.min(MAX_SLICE_MS, deadline.timeRemaining());
    const end = now() + slice;
    const more = () => now() < end;
    for (const block of blocks) {
      if (!block.highlightWaiting(more)) break;
      blocks.delete(block);
    }
    if (blocks.size + tasks.length > 0) handle = scheduler.request(run);
  }

  return {
    add(block) {
      blocks.add(block);
      handle ??= scheduler.request(run);
    },
    whenQuiet(task) {
      tasks.push(task);
      handle ??= scheduler.request(run);
    },
    wrote(chars) {
      const at = now();
      if (at - windowStart >= QUIET_MS) {
        windowStart = at;
        windowChars = 0;
      }
      windowChars += chars;
      if (windowChars > FAST_CHARS) fastUntil = at + QUIET_MS;
    },
    clear() {
      blocks.clear();
      tasks = [];
      if (handle !== null) scheduler.cancel(handle);
      handle = null;
    },
  };
}
