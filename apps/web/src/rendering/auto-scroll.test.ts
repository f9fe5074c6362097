import { describe, expect, it, vi } from 'vitest';
import { followBottom, isScrolledToBottom } from './auto-scroll.ts';

/** A box whose content grows 100px per append, seen through a 300px window. */
function fakeBox(scrollTop: number, scrollHeight = 1000) {
  let onScroll = () => {};
  let top = scrollTop;
  return {
    scrollHeight,
    clientHeight: 300,
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

describe('followBottom', () => {
  it('keeps a box at the bottom as text arrives', () => {
    const box = fakeBox(700);
    const sink = followBottom(box)(box);
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
    followBottom(box)({ ...box, append: (text) => box.append(text), written }).written?.();

    expect(written).toHaveBeenCalledOnce();
  });

  it('leaves a reader who scrolled up where they are', () => {
    const box = fakeBox(700);
    const sink = followBottom(box)(box);
    box.scrollTo(200);
    sink.append('more');
    sink.written?.();

    expect(box.texts).toEqual(['more']);
    expect(box.scrollTop).toBe(200);
  });

  it('follows again once the reader is back at the bottom, even if the text grew since', () => {
    const box = fakeBox(700);
    const sink = followBottom(box)(box);
    box.scrollTo(200);
    box.scrollTo(700);
    // Text laid out late, below the reader, before the next write.
    box.scrollHeight += 500;
    sink.append('more');
    sink.written?.();

    expect(box.scrollTop).toBe(1300);
  });

  it('follows a reader who comes back to exactly where it last scrolled to', () => {
    const box = fakeBox(700);
    const sink = followBottom(box)(box);
    sink.append('more');
    sink.written?.();
    box.fireScroll();
    box.scrollTo(100);
    box.scrollTo(800);
    sink.append('more');
    sink.written?.();

    expect(box.scrollTop).toBe(900);
  });

  it('is not misled by the scroll event of its own scroll', () => {
    const box = fakeBox(700);
    const sink = followBottom(box)(box);
    sink.append('more');
    sink.written?.();
    box.scrollHeight += 500;
    box.fireScroll();
    sink.append('more');
    sink.written?.();

    expect(box.scrollTop).toBe(1400);
  });

  it('keeps following when the browser scrolls the box down by itself', () => {
    const box = fakeBox(700);
    const sink = followBottom(box)(box);
    sink.append('more');
    sink.written?.();
    // Scroll anchoring, as text above the view is laid out, seen after the box grew again.
    box.scrollHeight += 500;
    box.scrollTo(850);
    sink.append('more');
    sink.written?.();

    expect(box.scrollTop).toBe(1400);
  });

  it('leaves a reader who scrolled up, then down short of the bottom, where they are', () => {
    const box = fakeBox(700);
    const sink = followBottom(box)(box);
    box.scrollTo(200);
    box.scrollTo(400);
    sink.append('more');
    sink.written?.();

    expect(box.scrollTop).toBe(400);
  });

  it('passes clearing through', () => {
    const box = fakeBox(700);
    const sink = followBottom(box)(box);
    sink.append('x');
    sink.replaceChildren();

    expect(box.texts).toEqual([]);
  });
});
