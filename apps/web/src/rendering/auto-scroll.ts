import { animationFrames, type FrameScheduler, type TextSink } from './renderer.ts';

export interface ScrollBox {
  scrollTop: number;
  readonly scrollHeight: number;
  readonly clientHeight: number;
}

/** What the follower reads of every event: when it happened. */
interface TimedEvent {
  readonly timeStamp: number;
}

/** Listeners that never cancel: a wheel or a touch scrolls at once, not after a busy page's task. */
type Passive = { passive: true };

/** A box whose reader can scroll it: an Element, or a fake in tests. */
export interface ScrollingBox extends ScrollBox {
  addEventListener(
    type: 'wheel',
    listener: (event: TimedEvent & { deltaY: number }) => void,
    options: Passive,
  ): void;
  addEventListener(
    type: 'scroll' | 'pointerdown' | 'touchmove',
    listener: (event: TimedEvent) => void,
    options?: Passive,
  ): void;
  /** Where the follower turns the browser's scroll anchoring off while it follows. */
  readonly style: { overflowAnchor: string };
}

/** Where the keys a reader presses arrive, wherever the focus is: the window, or a fake in tests. */
export interface KeyTarget {
  addEventListener(type: 'keydown', listener: (event: TimedEvent & { key: string }) => void): void;
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

/**
 * How long after a reader's wheel, key, touch or press on the scrollbar a scroll up counts as
 * theirs. Long enough for a smooth scroll's first frame or the start of a drag; a scroll up
 * with no such input is the browser's own.
 */
export const READER_INPUT_MS = 1000;

/** Wraps a sink so that what it writes keeps the box pinned to the bottom while the reader is. */
export type BottomFollower = (sink: TextSink) => TextSink;

/**
 * Keeps a scrolling box pinned to its newest text, unless the reader has scrolled up to read
 * something earlier: then new text must not yank the view away from them. Whether they are at
 * the bottom is decided when they scroll, not when text arrives: text written out of view is
 * laid out later (content-visibility), so a box the reader has just scrolled to the bottom can
 * grow under them before the next write, and must still count as followed. Only the reader's
 * scroll up leaves the bottom: one that comes soon after their input. The browser scrolls the
 * box up by itself too, when text above the view is skipped at a size it remembered smaller
 * and the box shrinks under the reader, and the thread has grown again by the scroll's event:
 * at full speed that read as the reader's, and stopped a follower halfway through an answer.
 * While the follower follows, scroll anchoring is off: it keeps a reader's view still as text
 * above it is laid out at its real size, which a follower that pins the bottom does not need,
 * and it moved the box by itself. One per box: every answer's sink is wrapped by the same
 * follower.
 */
export function followBottom(
  box: ScrollingBox,
  frames: FrameScheduler = animationFrames,
  keys: KeyTarget = window,
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
  /** When the reader last did something that scrolls up. */
  let readerAt = Number.NEGATIVE_INFINITY;
  const reader = (event: TimedEvent) => {
    readerAt = event.timeStamp;
  };
  const passive: Passive = { passive: true };
  box.addEventListener('wheel', (event) => event.deltaY < 0 && reader(event), passive);
  // Arrow up, page up, home.
  keys.addEventListener('keydown', (event) => /Up|Home/.test(event.key) && reader(event));
  // The scrollbar is part of the box: pressing it presses the box.
  box.addEventListener('pointerdown', reader);
  box.addEventListener('touchmove', reader, passive);
  box.addEventListener('scroll', (event) => {
    const top = box.scrollTop;
    if (isScrolledToBottom(box)) follow(true);
    else if (top < seenAt && event.timeStamp - readerAt < READER_INPUT_MS) follow(false);
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
