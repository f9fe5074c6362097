import { animationFrames, type FrameScheduler, type TextSink } from './renderer.ts';

export interface ScrollBox {
  scrollTop: number;
  readonly scrollHeight: number;
  readonly clientHeight: number;
}

/** A box whose reader can scroll it: an Element, or a fake in tests. */
export interface ScrollingBox extends ScrollBox {
  addEventListener(type: 'scroll', listener: () => void): void;
  /** Where the follower turns the browser's scroll anchoring off while it follows. */
  readonly style: { overflowAnchor: string };
}

/** Sub-pixel scroll positions and zoom leave a fraction of a pixel of slack at the bottom. */
const BOTTOM_SLACK_PX = 8;

export function isScrolledToBottom(box: ScrollBox): boolean {
  return box.scrollHeight - box.scrollTop - box.clientHeight <= BOTTOM_SLACK_PX;
}

/**
 * Frames in a row in which a follower finds the box still at its bottom before it stops looking.
 * Text written out of view is laid out once it comes into view (content-visibility), in a frame
 * after the write that pinned the box, and grows the box under the reader then: the last write
 * of an answer left a fast stream's page short of its end.
 */
export const SETTLED_FRAMES = 3;

/** Wraps a sink so that what it writes keeps the box pinned to the bottom while the reader is. */
export type BottomFollower = (sink: TextSink) => TextSink;

/**
 * Keeps a scrolling box pinned to its newest text, unless the reader has scrolled up to read
 * something earlier: then new text must not yank the view away from them. Whether they are at
 * the bottom is decided when they scroll, not when text arrives: text written out of view is
 * laid out later (content-visibility), so a box the reader has just scrolled to the bottom can
 * grow under them before the next write, and must still count as followed. Only a scroll up
 * leaves the bottom, and while the follower follows, scroll anchoring is off: it keeps a
 * reader's view still as text above it is laid out at its real size, which a follower that
 * pins the bottom does not need, and at full speed it moved the box by itself, up or down, and
 * stopped a follower halfway through an answer. One per box: every answer's sink is wrapped by
 * the same follower.
 */
export function followBottom(
  box: ScrollingBox,
  frames: FrameScheduler = animationFrames,
): BottomFollower {
  let following = false;
  function follow(value: boolean): void {
    following = value;
    box.style.overflowAnchor = value ? 'none' : '';
  }
  follow(true);
  /**
   * Where the box was last seen, by a scroll event or by a pin: a scroll from there tells up
   * from down, and the event of the follower's own scroll, which finds the box where it was
   * pinned, is never a scroll up.
   */
  let seenAt = box.scrollTop;
  box.addEventListener('scroll', () => {
    const top = box.scrollTop;
    if (isScrolledToBottom(box)) follow(true);
    else if (top < seenAt) follow(false);
    seenAt = top;
  });

  function pin(): void {
    box.scrollTop = box.scrollHeight;
    seenAt = box.scrollTop;
  }
  /** Quiet frames still to look for late growth in: a frame is to look while any remain. */
  let quietFrames = 0;
  function look(): void {
    if (!following) quietFrames = 0;
    else if (isScrolledToBottom(box)) quietFrames--;
    else {
      pin();
      quietFrames = SETTLED_FRAMES;
    }
    if (quietFrames > 0) frames.request(look);
  }

  // Reading scrollHeight lays the page out: done once per painted frame (on `written`), not
  // after every write of a catch-up, where it was most of the cost of rendering a fast stream.
  return (sink) => ({
    append(text) {
      sink.append(text);
    },
    written() {
      sink.written?.();
      if (!following) return;
      pin();
      if (quietFrames === 0) frames.request(look);
      quietFrames = SETTLED_FRAMES;
    },
    replaceChildren() {
      sink.replaceChildren();
    },
  });
}
