/** Where rendered text goes: an Element satisfies it, and so does a two-method fake in tests. */
export interface TextSink {
  /** Given a string, Element.append creates a Text node: nothing is parsed as HTML. */
  append(text: string): void;
  replaceChildren(): void;
  /**
   * What has been appended is about to be painted: called after a frame's first write, after a
   * flush, and after the write that empties the queue, not after each write of a catch-up in
   * between (those are painted with the next frame's). Lets a wrapper do per-paint work (the scroll
   * follower's pinning, which lays the page out) once per frame instead of once per write.
   */
  written?(): void;
}

export interface FrameScheduler {
  request(callback: () => void): number;
  cancel(handle: number): void;
}

export interface Renderer {
  /** Queues text; it reaches the sink on the next frame, together with everything else queued. */
  push(text: string): void;
  /** Writes queued text now, in one go. */
  flush(): void;
  /**
   * Calls `done` once everything queued is written: at once when nothing is, else after the
   * frames that write it, each within the frame budget. So a finished stream's backlog reaches
   * the screen without one long task, before the page says the stream has ended. flush() and
   * clear() meanwhile call it at once.
   */
  drain(done: () => void): void;
  /** Drops queued text and empties the sink. */
  clear(): void;
}

export interface BatchedRenderer extends Renderer {
  /**
   * Empties the sink and queues `text` instead of whatever was queued, written over frames like
   * the rest; a drain waits for it.
   */
  replace(text: string): void;
}

export interface RendererOptions {
  scheduler?: FrameScheduler;
  /** Runs after each write, e.g. to refresh live metrics at the rate the text is painted. */
  onRender?: () => void;
  /**
   * How long one frame's write may take. It is timed as it writes, piece by piece; text beyond
   * what fits in this time waits for the next write, cut at a line end, so that a burst never
   * becomes one long task. flush() still writes everything. Unset: every frame writes all.
   */
  frameBudgetMs?: number;
  /**
   * Where writes run when set (`tasks`: each in a task of its own as soon as the main thread is
   * free); by default in the frame itself. Frames then only pace the writes: each frame starts
   * the next in a task after it, so that a frame's task is the style, layout and paint of what
   * was written before it, and not the writing as well. Text the budget left over continues in
   * another task, up to WRITES_PER_FRAME writes per frame, so that a sink slower than the stream
   * catches up at the speed of the machine rather than at one budget per frame, still in pieces
   * that never make a long task.
   */
  continueWith?: FrameScheduler;
  now?: () => number;
}

/**
 * Characters written between two looks at the clock, at most, cut at a line end. What a
 * character costs varies tenfold (a line of code is one text node, a table row a dozen
 * elements), so a write is timed piece by piece as it goes rather than sized from what earlier
 * writes cost: a guess made on a run of code once made a write of tables take 100 ms. A piece of
 * the costliest Markdown takes a few milliseconds, once the code that writes it has warmed up.
 */
export const PIECE_CHARS = 2000;
/**
 * The first piece, and the least a piece shrinks to. The first writes run cold code (a fresh
 * page's Markdown parser is interpreted, not yet compiled): a full piece of it took 100 ms in one
 * frame when a fast stream's first read brought tens of kilobytes at once. Pieces double while
 * one takes under a quarter of the budget and halve when one overruns it.
 */
export const FIRST_PIECE_CHARS = 250;
/**
 * Writes per frame. What is written must still be styled, laid out and painted in the next
 * frame, and that task grows with it: now that each write takes its whole budget (it is timed
 * piece by piece), three budgets of Markdown between two frames made the frame after them take
 * up to 130 ms.
 */
export const WRITES_PER_FRAME = 2;

export const animationFrames: FrameScheduler = {
  request: (callback) => requestAnimationFrame(callback),
  cancel: (handle) => cancelAnimationFrame(handle),
};

/** A task as soon as the main thread is free: a message to itself, which no timer clamping delays. */
function messageTasks(): FrameScheduler {
  const callbacks = new Map<number, () => void>();
  let next = 1;
  let channel: MessageChannel | null = null;
  return {
    request(callback) {
      if (!channel) {
        channel = new MessageChannel();
        channel.port1.onmessage = (event: MessageEvent<number>) => {
          const due = callbacks.get(event.data);
          callbacks.delete(event.data);
          due?.();
        };
      }
      callbacks.set(next, callback);
      channel.port2.postMessage(next);
      return next++;
    },
    cancel: (handle) => callbacks.delete(handle),
  };
}

export const tasks: FrameScheduler = messageTasks();

/**
 * Batches streamed text per animation frame. Re-serialising the output for every chunk (adding it
 * to innerText) is quadratic: 10,000 tokens took 30 s in headless Chromium. One new Text node per
 * frame costs only the new text, and at most one DOM write and layout per paint, however fast
 * tokens arrive.
 */
export function createRenderer(sink: TextSink, options: RendererOptions = {}): BatchedRenderer {
  const scheduler = options.scheduler ?? animationFrames;
  const later = options.continueWith ?? scheduler;
  const { frameBudgetMs: budget, now = () => performance.now() } = options;
  let pending = '';
  /** The write to come, in the next frame or (continuing) in a task. */
  let frame: { handle: number; by: FrameScheduler } | null = null;
  let drained: (() => void) | null = null;
  /** Writes since the last frame. */
  let writes = 0;

  function settle(): void {
    const done = drained;
    drained = null;
    done?.();
  }

  /** The next piece's size: it follows what pieces cost (see FIRST_PIECE_CHARS). */
  let pieceChars = FIRST_PIECE_CHARS;

  /** Writes pending text piece by piece while the next piece is likely to fit in the budget. */
  function writeBudgeted(limit: number): void {
    const started = now();
    let offset = 0;
    let last = 0;
    do {
      const end =
        pending.length - offset > pieceChars ? pending.indexOf('\n', offset + pieceChars - 1) : -1;
      const next = end === -1 ? pending.length : end + 1;
      const before = now();
      sink.append(pending.slice(offset, next));
      last = now() - before;
      offset = next;
      if (last * 4 <= limit) pieceChars = Math.min(pieceChars * 2, PIECE_CHARS);
      else if (last > limit) pieceChars = Math.max(pieceChars / 2, FIRST_PIECE_CHARS);
    } while (offset < pending.length && now() - started + last <= limit);
    pending = pending.slice(offset);
  }

  /** `first`: the first write since a frame. */
  function write(all = false, first = false): void {
    frame = null;
    writes = first ? 1 : writes + 1;
    if (pending === '') {
      settle();
      return;
    }
    if (all || budget === undefined) {
      sink.append(pending);
      pending = '';
    } else writeBudgeted(budget);
    if (first || all || pending === '') sink.written?.();
    options.onRender?.();
    if (pending !== '') schedule(writes < WRITES_PER_FRAME ? later : scheduler);
    else settle();
  }

  function request(by: FrameScheduler, callback: () => void): void {
    frame = { handle: by.request(callback), by };
  }

  function schedule(by: FrameScheduler): void {
    if (by !== scheduler) request(by, () => write());
    // With writes in tasks of their own, a frame only starts the first of them.
    else if (later !== scheduler) request(by, () => request(later, () => write(false, true)));
    else request(by, () => write(false, true));
  }

  function cancelFrame(): void {
    if (frame === null) return;
    frame.by.cancel(frame.handle);
    frame = null;
  }

  return {
    push(text) {
      if (text === '') return;
      pending += text;
      if (frame === null) schedule(scheduler);
    },
    flush() {
      cancelFrame();
      write(true);
    },
    drain(done) {
      // A drain already waiting ends now: this one replaces it.
      settle();
      drained = done;
      if (pending === '') settle();
    },
    clear() {
      cancelFrame();
      pending = '';
      sink.replaceChildren();
      settle();
    },
    replace(text) {
      cancelFrame();
      pending = text;
      sink.replaceChildren();
      if (pending === '') settle();
      else schedule(scheduler);
    },
  };
}
