import { describe, expect, it } from 'vitest';
import { followBottom, isScrolledToBottom } from './auto-scroll.ts';

/** A box whose content grows 100px per append, seen through a 300px window. */
function fakeBox(scrollTop: number, scrollHeight = 1000) {
  return {
    scrollTop,
    scrollHeight,
    clientHeight: 300,
    texts: [] as string[],
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
  it('keeps a box that was at the bottom at the bottom', () => {
    const box = fakeBox(700);
    followBottom(box, box).append('more');

    expect(box.texts).toEqual(['more']);
    expect(box.scrollTop).toBe(1100);
  });

  it('leaves a reader who scrolled up where they are', () => {
    const box = fakeBox(200);
    followBottom(box, box).append('more');

    expect(box.texts).toEqual(['more']);
    expect(box.scrollTop).toBe(200);
  });

  it('passes clearing through', () => {
    const box = fakeBox(700);
    const sink = followBottom(box, box);
    sink.append('x');
    sink.replaceChildren();

    expect(box.texts).toEqual([]);
  });
});
