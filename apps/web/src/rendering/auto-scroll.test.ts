import { describe, expect, it, vi } from 'vitest';
import { fakeFrames } from '../test-support/fake-frames.ts';
import { followBottom, isScrolledToBottom, SETTLED_FRAMES } from './auto-scroll.ts';

/** A box whose content grows 100px per append, seen through a 300px window. */
function fakeBox(scrollTop: number, scrollHeight = 1000) {
  let onScroll = () => {};
  let top = scrollTop;
  return {
    scrollHeight,
    clientHeight: 300,
    style: { overflowAnchor: '' },
    texts: [] as string[],
    get scrollTop() {
      return top;
    },
    /** As a browser clamps it. */
    set scrollTop(value: number) {
      top = Math.max(0, Math.min(value, this.scrollHeight - this.clientHeight));
    },
    addEventListener(_type: 'scroll', listener: () => void) {
      onScroll = listener;
    },
    /** The reader scrolls; the browser tells listeners on its next frame. */
    scrollTo(value: number) {
      this.scrollTop = value;
      onScroll();
    },
    /** The browser fires a scroll event for the follower's own scroll too. */
    fireScroll() {
      onScroll();
    },
    append(text: string) {
      this.texts.push(text);
      this.scrollHeight += 100;
    },
    replaceChildren() {
      this.texts = [];
      this.scrollHeight = 300;
    },
  };
}

describe('isScrolledToBottom', () => {
  it('allows a few pixels of slack for fractional scrolling', () => {
    expect(isScrolledToBottom(fakeBox(700))).toBe(true);
    expect(isScrolledToBottom(fakeBox(695.5))).toBe(true);
    expect(isScrolledToBottom(fakeBox(600))).toBe(false);
  });

  it('counts content that does not overflow as at the bottom', () => {
    expect(isScrolledToBottom(fakeBox(0, 120))).toBe(true);
  });
});

/** A followed fake box, and a frame's write to it as the renderer makes one. */
function followed(scrollTop = 700) {
  const box = fakeBox(scrollTop);
  const frames = fakeFrames();
  const sink = followBottom(box, frames.scheduler)(box);
  function write(): void {
    sink.append('more');
    sink.written?.();
  }
  return { box, frames, sink, write };
}

describe('followBottom', () => {
  it('keeps a box at the bottom as text arrives', () => {
    const { box, sink } = followed();
    sink.append('more');
    sink.append('more');
    // Pinning lays the page out: it waits for the text to be painted.
    expect(box.scrollTop).toBe(700);
    sink.written?.();

    expect(box.texts).toEqual(['more', 'more']);
    expect(box.scrollTop).toBe(900);
  });

  it('passes the sign that text is about to be painted on', () => {
    const box = fakeBox(700);
    const written = vi.fn();
    followBottom(
      box,
      fakeFrames().scheduler,
    )({ ...box, append: (text) => box.append(text), written }).written?.();

    expect(written).toHaveBeenCalledOnce();
  });

  it('leaves a reader who scrolled up where they are', () => {
    const { box, write } = followed();
    box.scrollTo(200);
    write();

    expect(box.texts).toEqual(['more']);
    expect(box.scrollTop).toBe(200);
  });

  it('follows again once the reader is back at the bottom, even if the text grew since', () => {
    const { box, write } = followed();
    box.scrollTo(200);
    box.scrollTo(700);
    // Text laid out late, below the reader, before the next write.
    box.scrollHeight += 500;
    write();

    expect(box.scrollTop).toBe(1300);
  });

  it('follows a reader who comes back to exactly where it last scrolled to', () => {
    const { box, write } = followed();
    write();
    box.fireScroll();
    box.scrollTo(100);
    box.scrollTo(800);
    write();

    expect(box.scrollTop).toBe(900);
  });

  it('is not misled by the scroll event of its own scroll', () => {
    const { box, write } = followed();
    write();
    box.scrollHeight += 500;
    box.fireScroll();
    write();

    expect(box.scrollTop).toBe(1400);
  });

  it('keeps following when the browser scrolls the box down by itself', () => {
    const { box, write } = followed();
    write();
    // Scroll anchoring, as text above the view is laid out, seen after the box grew again.
    box.scrollHeight += 500;
    box.scrollTo(850);
    write();

    expect(box.scrollTop).toBe(1400);
  });

  it('leaves a reader who scrolled up, then down short of the bottom, where they are', () => {
    const { box, write } = followed();
    box.scrollTo(200);
    box.scrollTo(400);
    write();

    expect(box.scrollTop).toBe(400);
  });

  it('pins the box again when text laid out after the write grows it', () => {
    const { box, frames, write } = followed();
    write();
    expect(box.scrollTop).toBe(800);
    // The last write's text came into view and was laid out at its real size, a frame later.
    box.scrollHeight += 400;
    frames.runFrame();

    expect(box.scrollTop).toBe(1200);
  });

  it('stops looking once the box has stayed at its bottom for a few frames', () => {
    const { frames, write } = followed();
    write();
    for (let frame = 1; frame < SETTLED_FRAMES; frame++) {
      frames.runFrame();
      expect(frames.pending()).toBe(1);
    }
    frames.runFrame();

    expect(frames.pending()).toBe(0);
  });

  it('leaves a reader who scrolled up after the write where they are', () => {
    const { box, frames, write } = followed();
    write();
    box.scrollTo(200);
    box.scrollHeight += 400;
    frames.runFrame();

    expect(box.scrollTop).toBe(200);
    expect(frames.pending()).toBe(0);
  });

  it('turns scroll anchoring off while it follows, and back on for a reader who scrolled up', () => {
    const box = fakeBox(700);
    followBottom(box, fakeFrames().scheduler);
    expect(box.style.overflowAnchor).toBe('none');
    box.scrollTo(200);
    expect(box.style.overflowAnchor).toBe('');
    box.scrollTo(700);

    expect(box.style.overflowAnchor).toBe('none');
  });

  it('passes clearing through', () => {
    const { box, sink } = followed();
    sink.append('x');
    sink.replaceChildren();

    expect(box.texts).toEqual([]);
  });
});
