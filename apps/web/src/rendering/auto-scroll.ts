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
 * grow under them before the next write, and must still count as followed. Only a scroll up
 * leaves the bottom: the browser scrolls a box down by itself (scroll anchoring, as text above
 * the view is laid out at its real size), and at full speed such a scroll, seen after the next
 * write had grown the box, made a follower stop halfway through an answer. One per box: every
 * answer's sink is wrapped by the same follower.
 */
export function followBottom(box: ScrollingBox): BottomFollower {
  let following = true;
  let pinnedTo: number | null = null;
  /** Where the box was last seen: a scroll from there tells up from down. */
  let seenAt = box.scrollTop;
  box.addEventListener(
    'scroll',
    () => {
      const top = box.scrollTop;
      // The scroll this follower made itself says nothing about the reader.
      const own = top === pinnedTo;
      pinnedTo = null;
      if (!own) {
        if (isScrolledToBottom(box)) following = true;
        else if (top < seenAt) following = false;
      }
      seenAt = top;
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
      seenAt = box.scrollTop;
      // A scroll that moved nothing fires no event to recognise.
      if (seenAt !== before) pinnedTo = seenAt;
    },
    replaceChildren() {
      sink.replaceChildren();
    },
  });
}
