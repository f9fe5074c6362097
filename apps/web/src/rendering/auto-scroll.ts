import type { TextSink } from './renderer.ts';

export interface ScrollBox {
  scrollTop: number;
  readonly scrollHeight: number;
  readonly clientHeight: number;
}

/** A box whose reader can scroll it: an Element, or a fake in tests. */
export interface ScrollingBox extends ScrollBox {
  addEventListener(type: 'scroll', listener: () => void, options?: { passive: boolean }): void;
}

/** Sub-pixel scroll positions and zoom leave a fraction of a pixel of slack at the bottom. */
const BOTTOM_SLACK_PX = 8;

export function isScrolledToBottom(box: ScrollBox): boolean {
  return box.scrollHeight - box.scrollTop - box.clientHeight <= BOTTOM_SLACK_PX;
}

/** Wraps a sink so that what it writes keeps the box pinned to the bottom while the reader is. */
export type BottomFollower = (sink: TextSink) => TextSink;

/**
 * Keeps a scrolling box pinned to its newest text, unless the reader has scrolled up to read
 * something earlier: then new text must not yank the view away from them. Whether they are at
 * the bottom is decided when they scroll, not when text arrives: text written out of view is
 * laid out later (content-visibility), so a box the reader has just scrolled to the bottom can
 * grow under them before the next write, and must still count as followed. One per box: every
 * answer's sink is wrapped by the same follower.
 */
export function followBottom(box: ScrollingBox): BottomFollower {
  let following = true;
  let pinnedTo: number | null = null;
  box.addEventListener(
    'scroll',
    () => {
      // The scroll this follower made itself says nothing about the reader.
      const own = box.scrollTop === pinnedTo;
      pinnedTo = null;
      if (!own) following = isScrolledToBottom(box);
    },
    { passive: true },
  );
  // Reading scrollHeight lays the page out: done once per painted frame (on `written`), not
  // after every write of a catch-up, where it was most of the cost of rendering a fast stream.
  return (sink) => ({
    append(text) {
      sink.append(text);
    },
    written() {
      sink.written?.();
      if (!following) return;
      const before = box.scrollTop;
      box.scrollTop = box.scrollHeight;
      // A scroll that moved nothing fires no event to recognise.
      if (box.scrollTop !== before) pinnedTo = box.scrollTop;
    },
    replaceChildren() {
      sink.replaceChildren();
    },
  });
}
