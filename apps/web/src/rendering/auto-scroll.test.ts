import { describe, expect, it, vi } from 'vitest';
import { fakeFrames } from '../test-support/fake-frames.ts';
import {
  followBottom,
  isScrolledToBottom,
  READER_INPUT_MS,
  SETTLED_FRAMES,
} from './auto-scroll.ts';

/** Every event a fake dispatches: what any listener of the follower reads. */
interface FakeEvent {
  timeStamp: number;
  deltaY: number;
  key: string;
}
type Listener = (event: FakeEvent) => void;

/** Listeners by event type, as an element or the window keeps them. */
function fakeTarget() {
  const listeners = new Map<string, Listener[]>();
  return {
    listeners,
    addEventListener(type: string, listener: Listener) {
      listeners.set(type, [...(listeners.get(type) ?? []), listener]);
    },
    dispatch(type: string, event: Partial<FakeEvent> & { timeStamp: number }) {
      for (const listener of listeners.get(type) ?? []) listener({ deltaY: 0, key: '', ...event });
    },
  };
}

/**
 * A box whose content grows 100px per append, seen through a 300px window, and the window its
 * keys arrive at. Time stands still until the test moves it on.
 */
function fakeBox(scrollTop: number, scrollHeight = 1000) {
  const target = fakeTarget();
  const keys = fakeTarget();
  let now = 10_000;
  let top = scrollTop;
  return {
    scrollHeight,
    clientHeight: 300,
    style: { overflowAnchor: '' },
    texts: [] as string[],
    keys,
    get scrollTop() {
      return top;
    },
    /** As a browser clamps it. */
    set scrollTop(value: number) {
      top = Math.max(0, Math.min(value, this.scrollHeight - this.clientHeight));
    },
    addEventListener: target.addEventListener,
    later(ms: number) {
      now += ms;
    },
    /** The reader turns the wheel; the browser scrolls, and tells listeners on its next frame. */
    scrollTo(value: number) {
      target.dispatch('wheel', { timeStamp: now, deltaY: value - top });
      this.browserScrollsTo(value);
    },
    press(type: 'pointerdown' | 'touchmove') {
      target.dispatch(type, { timeStamp: now });
    },
    pressKey(key: string) {
      keys.dispatch('keydown', { timeStamp: now, key });
    },
    /** A scroll with no input of the reader's: anchoring, or a clamp as the content shrinks. */
    browserScrollsTo(value: number) {
      this.scrollTop = value;
      this.fireScroll();
    },
    /** The browser fires a scroll event for the follower's own scroll too. */
    fireScroll() {
      target.dispatch('scroll', { timeStamp: now });
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
  const sink = followBottom(box, frames.scheduler, box.keys)(box);
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
      box.keys,
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
    box.browserScrollsTo(850);
    write();

    expect(box.scrollTop).toBe(1400);
  });

  it('keeps following when the browser scrolls the box up by itself', () => {
    const { box, write } = followed();
    write();
    // Text above the view skipped at a smaller size than it was laid out at: the box shrinks,
    // the browser clamps its scroll, and the next write grows it again before the event.
    box.scrollHeight -= 300;
    box.scrollTop = box.scrollHeight;
    box.scrollHeight += 600;
    box.fireScroll();
    expect(box.style.overflowAnchor).toBe('none');
    write();

    expect(box.scrollTop).toBe(1200);
  });

  it('keeps following through a scroll up a while after the reader last turned the wheel', () => {
    const { box, write } = followed();
    box.scrollTo(750);
    box.later(READER_INPUT_MS);
    box.browserScrollsTo(400);
    write();

    expect(box.scrollTop).toBe(800);
  });

  it('keeps following through a scroll up after the reader turned the wheel down', () => {
    const { box, write } = followed();
    box.scrollTo(900);
    box.browserScrollsTo(400);
    write();

    expect(box.scrollTop).toBe(800);
  });

  it.each(['ArrowUp', 'PageUp', 'Home'])(
    'leaves a reader who scrolled up with %s where they are',
    (key) => {
      const { box, write } = followed();
      box.pressKey(key);
      box.later(READER_INPUT_MS - 1);
      box.browserScrollsTo(400);
      write();

      expect(box.scrollTop).toBe(400);
    },
  );

  it('keeps following through a scroll up after keys that do not scroll up', () => {
    const { box, write } = followed();
    for (const key of ['a', 'ArrowDown', 'PageDown', 'End', 'Enter']) box.pressKey(key);
    box.browserScrollsTo(400);
    write();

    expect(box.scrollTop).toBe(800);
  });

  it.each(['pointerdown', 'touchmove'] as const)(
    'leaves a reader who scrolled up by the scrollbar or by touch (%s) where they are',
    (type) => {
      const { box, write } = followed();
      box.press(type);
      box.browserScrollsTo(400);
      write();

      expect(box.scrollTop).toBe(400);
    },
  );

  it('listens to the wheel and to touch without holding the scroll up', () => {
    const box = fakeBox(700);
    const options = vi.spyOn(box, 'addEventListener');
    followBottom(box, fakeFrames().scheduler, box.keys);

    expect(options).toHaveBeenCalledWith('wheel', expect.any(Function), { passive: true });
    expect(options).toHaveBeenCalledWith('touchmove', expect.any(Function), { passive: true });
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
    followBottom(box, fakeFrames().scheduler, box.keys);
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
