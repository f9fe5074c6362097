import type { TextSink } from './renderer.ts';

export interface ScrollBox {
  scrollTop: number;
  readonly scrollHeight: number;
  readonly clientHeight: number;
}

/** Sub-pixel scroll positions and zoom leave a fraction of a pixel of slack at the bottom. */
const BOTTOM_SLACK_PX = 8;

export function isScrolledToBottom(box: ScrollBox): boolean {
  return box.scrollHeight - box.scrollTop - box.clientHeight <= BOTTOM_SLACK_PX;
}

/**
 * Keeps a scrolling output pinned to its newest text, unless the reader has scrolled up to read
 * something earlier: then new text must not yank the view away from them. `sink` writes the text
 * into `box`.
 */
export function followBottom(box: ScrollBox, sink: TextSink): TextSink {
  return {
    append(text) {
      const wasAtBottom = isScrolledToBottom(box);
      sink.append(text);
      if (wasAtBottom) box.scrollTop = box.scrollHeight;
    },
    replaceChildren() {
      sink.replaceChildren();
    },
  };
}
