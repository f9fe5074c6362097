import type { BottomFollower } from './auto-scroll.ts';
import { createRenderer, type Renderer } from './renderer.ts';
import { createBlockSink } from './text-blocks.ts';

export interface AnswerRendererOptions {
  /** Keeps the thread pinned to the newest text; restored answers need none. */
  follow?: BottomFollower;
  onRender?: () => void;
}

/**
 * Renders one answer into its own element. Every assistant turn gets its own, so that a new
 * answer costs only its own text however long the thread; a renderer of another kind (Markdown)
 * fits here as long as it keeps `push`, `flush` and `clear`.
 */
export type AnswerRendererFactory = (
  content: HTMLElement,
  options?: AnswerRendererOptions,
) => Renderer;

/** Plain text, batched per animation frame into blocks of whole lines. */
export const createTextAnswerRenderer: AnswerRendererFactory = (content, options = {}) => {
  const blocks = createBlockSink(content, () => document.createElement('span'));
  const sink = options.follow ? options.follow(blocks) : blocks;
  return createRenderer(sink, options.onRender ? { onRender: options.onRender } : {});
};
