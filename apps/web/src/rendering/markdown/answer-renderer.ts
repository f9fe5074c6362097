import type {
  AnswerRendererFactory,
  AnswerRendererOptions as BaseOptions,
} from '../answer-renderer.ts';
import {
  createRenderer,
  type Renderer,
  type RendererOptions,
  type TextSink,
  tasks,
} from '../renderer.ts';
import { createBlockSink } from '../text-blocks.ts';
import type { MarkdownFactory } from './load-markdown.ts';

/**
 * How long one write of an answer may take: Markdown costs more per character than text, and a
 * fast stream arrives in bursts. The writes run in tasks between frames (WRITES_PER_FRAME per
 * frame), and the frame that follows styles, lays out and paints what they wrote: at 8 ms such
 * a frame after a catch-up of Markdown took just over 50 ms in a third of the page bench's runs.
 * Text mode is as fast at 6 as at 8.
 */
export const FRAME_BUDGET_MS = 6;

export const RENDER_MODES = ['markdown', 'text'] as const;
export type RenderMode = (typeof RENDER_MODES)[number];

export const isRenderMode = (value: unknown): value is RenderMode =>
  RENDER_MODES.some((mode) => mode === value);

export interface AnswerRenderer extends Renderer {
  /** Every character pushed so far, exactly as it arrived: what "copy answer" copies. */
  readonly source: string;
  readonly mode: RenderMode;
  /** Shows the whole answer again in the other mode; text still to come follows in it. */
  setMode(mode: RenderMode): void;
}

export interface AnswerRendererOptions extends BaseOptions, Pick<RendererOptions, 'scheduler'> {
  mode?: RenderMode;
  /** The Markdown renderer, or its promise while its chunk loads (see load-markdown.ts). */
  markdown: MarkdownFactory | Promise<MarkdownFactory>;
}

/**
 * One answer's renderer: the same per-frame batching for both modes, into either Markdown or
 * exact text (`white-space: pre-wrap` spans of whole lines). It keeps the answer's source, so a
 * switch of mode, even mid-stream, re-renders everything that arrived and loses nothing. Until
 * the Markdown renderer has loaded, Markdown mode shows the exact text, then the answer again.
 */
export function createAnswerRenderer(
  element: HTMLElement,
  options: AnswerRendererOptions,
): AnswerRenderer {
  let mode: RenderMode = options.mode ?? 'markdown';
  let source = '';
  const text = createBlockSink(element, () => document.createElement('span'));
  let markdown: TextSink | null = null;
  const shown = () => (mode === 'markdown' && markdown ? markdown : text);
  const current: TextSink = {
    append: (chunk) => shown().append(chunk),
    replaceChildren() {
      text.replaceChildren();
      markdown?.replaceChildren();
    },
  };
  const sink = options.follow ? options.follow(current) : current;
  const batched = createRenderer(sink, {
    frameBudgetMs: FRAME_BUDGET_MS,
    continueWith: options.scheduler ?? tasks,
    ...(options.scheduler ? { scheduler: options.scheduler } : {}),
    ...(options.onRender ? { onRender: options.onRender } : {}),
  });

  /**
   * Everything again, in the sink now shown; queued text is part of the source. It goes through
   * the frame budget like streamed text, so a long answer switches over a few frames instead of
   * in one long task.
   */
  function rerender(): void {
    element.dataset.renderMode = shown() === text ? 'text' : 'markdown';
    batched.replace(source);
  }

  if (typeof options.markdown === 'function') markdown = options.markdown(element);
  else {
    options.markdown.then((factory) => {
      markdown = factory(element);
      if (mode === 'markdown') rerender();
    });
  }
  element.dataset.renderMode = shown() === text ? 'text' : 'markdown';

  return {
    get source() {
      return source;
    },
    get mode() {
      return mode;
    },
    push(chunk) {
      source += chunk;
      batched.push(chunk);
    },
    flush: () => batched.flush(),
    drain: (done) => batched.drain(done),
    clear() {
      source = '';
      batched.clear();
    },
    setMode(next) {
      if (next === mode) return;
      mode = next;
      rerender();
    },
  };
}

export interface AnswerRenderers {
  /** Makes each answer's renderer, in the current mode: the thread's renderer factory. */
  create: AnswerRendererFactory;
  readonly mode: RenderMode;
  /** Switches every answer on the page. */
  setMode(mode: RenderMode): void;
  /** The exact source of the answer shown in `content`, for its copy button. */
  sourceOf(content: HTMLElement): string | null;
}

/** Every answer's renderer, so that one choice of mode applies to the whole thread. */
export function createAnswerRenderers(options: {
  mode: RenderMode;
  markdown: MarkdownFactory | Promise<MarkdownFactory>;
}): AnswerRenderers {
  let mode = options.mode;
  const renderers = new Map<HTMLElement, AnswerRenderer>();
  return {
    create(content, rendererOptions = {}) {
      const renderer = createAnswerRenderer(content, { ...rendererOptions, ...options, mode });
      renderers.set(content, renderer);
      return renderer;
    },
    get mode() {
      return mode;
    },
    setMode(next) {
      mode = next;
      for (const [content, renderer] of renderers) {
        // Turns a new chat, an edit or the storage removed are forgotten here.
        if (!content.isConnected) renderers.delete(content);
        else renderer.setMode(next);
      }
    },
    sourceOf: (content) => renderers.get(content)?.source ?? null,
  };
}
