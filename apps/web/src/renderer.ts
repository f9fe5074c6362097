/** Where rendered text goes: an Element satisfies it, and so does a two-method fake in tests. */
export interface TextSink {
  /** Given a string, Element.append creates a Text node: nothing is parsed as HTML. */
  append(text: string): void;
  replaceChildren(): void;
}

export interface FrameScheduler {
  request(callback: () => void): number;
  cancel(handle: number): void;
}

export interface Renderer {
  /** Queues text; it reaches the sink on the next frame, together with everything else queued. */
  push(text: string): void;
  /** Writes queued text now, so that a finished stream is fully on screen before its final state. */
  flush(): void;
  /** Drops queued text and empties the sink. */
  clear(): void;
}

export interface RendererOptions {
  scheduler?: FrameScheduler;
  /** Runs after each write, e.g. to refresh live metrics at the rate the text is painted. */
  onRender?: () => void;
  /**
   * How long one frame's write may take. The sink's speed is measured as it writes; text beyond
   * what it can write in this time waits for the next frame, cut at a line end, so that a burst
   * never becomes one long task. flush() still writes everything. Unset: every frame writes all.
   */
  frameBudgetMs?: number;
  now?: () => number;
}

/** Chars a budgeted frame writes at least, and how fast a sink is taken to be at first (per ms). */
const MIN_SLICE = 2000;
const FIRST_RATE = 500;

const animationFrames: FrameScheduler = {
  request: (callback) => requestAnimationFrame(callback),
  cancel: (handle) => cancelAnimationFrame(handle),
};

/**
 * Batches streamed text per animation frame. Re-serialising the output for every chunk (adding it
 * to innerText) is quadratic: 10,000 tokens took 30 s in headless Chromium. One new Text node per
 * frame costs only the new text, and at most one DOM write and layout per paint, however fast
 * tokens arrive.
 */
export function createRenderer(sink: TextSink, options: RendererOptions = {}): Renderer {
  const scheduler = options.scheduler ?? animationFrames;
  const { frameBudgetMs: budget, now = () => performance.now() } = options;
  let pending = '';
  let frame: number | null = null;
  let rate = FIRST_RATE;

  /** What this frame writes: all, or as much as the budget allows, up to a line end. */
  function slice(): string {
    if (budget === undefined) return pending;
    const limit = Math.max(MIN_SLICE, Math.floor(rate * budget));
    const end = pending.length > limit ? pending.indexOf('\n', limit - 1) : -1;
    return end === -1 ? pending : pending.slice(0, end + 1);
  }

  function write(all = false): void {
    frame = null;
    if (pending === '') return;
    const text = all ? pending : slice();
    pending = pending.slice(text.length);
    const started = now();
    sink.append(text);
    const spent = now() - started;
    if (text.length >= MIN_SLICE && spent > 0) rate = text.length / spent;
    options.onRender?.();
    if (pending !== '') frame = scheduler.request(() => write());
  }

  function cancelFrame(): void {
    if (frame === null) return;
    scheduler.cancel(frame);
    frame = null;
  }

  return {
    push(text) {
      if (text === '') return;
      pending += text;
      frame ??= scheduler.request(() => write());
    },
    flush() {
      cancelFrame();
      write(true);
    },
    clear() {
      cancelFrame();
      pending = '';
      sink.replaceChildren();
    },
  };
}
