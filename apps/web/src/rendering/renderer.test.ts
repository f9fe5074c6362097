import { describe, expect, it, vi } from 'vitest';
import { fakeFrames } from '../test-support/fake-frames.ts';
import {
  createRenderer,
  FIRST_PIECE_CHARS,
  PIECE_CHARS,
  type TextSink,
  WRITES_PER_FRAME,
} from './renderer.ts';

function fakeSink() {
  const appended: string[] = [];
  const sink: TextSink & { cleared: number } = {
    cleared: 0,
    append: (text) => {
      appended.push(text);
    },
    replaceChildren() {
      this.cleared += 1;
      appended.length = 0;
    },
  };
  return { sink, appended, text: () => appended.join('') };
}

/**
 * A sink that takes 1 ms of its clock per 100 characters (per 25 for `t`, which stands for a
 * table's costlier markup), and records each append.
 */
function timedSink() {
  const clock = { now: 0 };
  const writes: string[] = [];
  const sink: TextSink = {
    append(text) {
      writes.push(text);
      for (const char of text) clock.now += char === 't' ? 1 / 25 : 1 / 100;
    },
    replaceChildren() {},
  };
  return { sink, writes, now: () => clock.now };
}

/** A renderer with a 50 ms budget whose writes continue in tasks, frames and tasks run by hand. */
function continuing(sink: TextSink, now: () => number) {
  const frames = fakeFrames();
  const continued = fakeFrames();
  const count = { rendered: 0 };
  const renderer = createRenderer(sink, {
    scheduler: frames.scheduler,
    continueWith: continued.scheduler,
    frameBudgetMs: 50,
    now,
    onRender: () => count.rendered++,
  });
  return { frames, continued, renderer, count };
}

/** A renderer with a 50 ms frame budget over a timed sink, its frames run by hand. */
function budgeted() {
  const frames = fakeFrames();
  const timed = timedSink();
  const renderer = createRenderer(timed.sink, {
    scheduler: frames.scheduler,
    frameBudgetMs: 50,
    now: timed.now,
  });
  return { frames, timed, renderer };
}

/** Runs one frame and returns what it appended, piece by piece, and how long that took. */
function frameOf(frames: ReturnType<typeof fakeFrames>, sink: ReturnType<typeof timedSink>) {
  const [count, started] = [sink.writes.length, sink.now()];
  frames.runFrame();
  return { pieces: sink.writes.slice(count), ms: sink.now() - started };
}

describe('createRenderer', () => {
  it('writes nothing until the next frame', () => {
    const frames = fakeFrames();
    const { sink, appended } = fakeSink();
    const renderer = createRenderer(sink, { scheduler: frames.scheduler });

    renderer.push('Hello');

    expect(appended).toEqual([]);
    expect(frames.pending()).toBe(1);
  });

  it('appends everything pushed between two frames as one piece, in order', () => {
    const frames = fakeFrames();
    const { sink, appended } = fakeSink();
    const renderer = createRenderer(sink, { scheduler: frames.scheduler });

    for (let i = 0; i < 1000; i++) renderer.push(`${i} `);
    expect(frames.pending()).toBe(1);
    frames.runFrame();

    expect(appended).toHaveLength(1);
    expect(appended[0]).toBe(Array.from({ length: 1000 }, (_, i) => `${i} `).join(''));
  });

  it('appends once per frame across many frames, keeping the order', () => {
    const frames = fakeFrames();
    const { sink, appended, text } = fakeSink();
    const renderer = createRenderer(sink, { scheduler: frames.scheduler });

    renderer.push('a');
    renderer.push('b');
    frames.runFrame();
    renderer.push('c');
    frames.runFrame();
    frames.runFrame();
    renderer.push('d\n');
    renderer.push('e');
    frames.runFrame();

    expect(appended).toEqual(['ab', 'c', 'd\ne']);
    expect(text()).toBe('abcd\ne');
  });

  it('does not schedule a frame for empty text', () => {
    const frames = fakeFrames();
    const renderer = createRenderer(fakeSink().sink, { scheduler: frames.scheduler });

    renderer.push('');

    expect(frames.pending()).toBe(0);
  });

  it('flushes synchronously and cancels the frame it no longer needs', () => {
    const frames = fakeFrames();
    const { sink, appended } = fakeSink();
    const renderer = createRenderer(sink, { scheduler: frames.scheduler });

    renderer.push('last ');
    renderer.push('words');
    renderer.flush();

    expect(appended).toEqual(['last words']);
    expect(frames.pending()).toBe(0);
    frames.runFrame();
    expect(appended).toEqual(['last words']);
  });

  it('flushes nothing when nothing is pending', () => {
    const { sink, appended } = fakeSink();
    const renderer = createRenderer(sink, { scheduler: fakeFrames().scheduler });

    renderer.flush();

    expect(appended).toEqual([]);
  });

  it('drops pending text on clear and empties the sink', () => {
    const frames = fakeFrames();
    const { sink, text } = fakeSink();
    const renderer = createRenderer(sink, { scheduler: frames.scheduler });
    renderer.push('old answer');
    renderer.flush();

    renderer.push(' never shown');
    renderer.clear();
    frames.runFrame();
    renderer.flush();

    expect(sink.cleared).toBe(1);
    expect(text()).toBe('');
    renderer.push('new');
    frames.runFrame();
    expect(text()).toBe('new');
  });

  it('reports each write, so that live metrics follow the painted text', () => {
    const frames = fakeFrames();
    const onRender = vi.fn();
    const renderer = createRenderer(fakeSink().sink, { scheduler: frames.scheduler, onRender });

    renderer.push('a');
    renderer.push('b');
    frames.runFrame();
    renderer.push('c');
    renderer.flush();
    renderer.flush();

    expect(onRender).toHaveBeenCalledTimes(2);
  });

  it('with a frame budget, writes per frame what the sink can in that time, in pieces cut at line ends', () => {
    const { frames, timed, renderer } = budgeted();
    const line = `${'x'.repeat(99)}\n`;
    const text = line.repeat(400);
    renderer.push(text);
    // The first pieces double while they take under a quarter of the budget (the first, of
    // FIRST_PIECE_CHARS, runs on to its line end): 3, 5, 10, then 20 ms, and a fifth would end
    // past the 50 ms.
    const first = frameOf(frames, timed).pieces;
    expect(FIRST_PIECE_CHARS).toBe(250);
    expect(first.map((piece) => piece.length)).toEqual([300, 500, 1000, 2000]);
    // Then pieces of 2,000 characters (20 ms each): a third would end past the 50 ms.
    for (let frame = 0; frame < 3; frame++) {
      const { pieces } = frameOf(frames, timed);
      expect(pieces.map((piece) => piece.length)).toEqual([PIECE_CHARS, PIECE_CHARS]);
      expect(pieces.every((piece) => piece.endsWith('\n'))).toBe(true);
    }
    expect(timed.writes.every((piece) => piece.endsWith('\n'))).toBe(true);
    renderer.flush();
    expect(timed.writes.join('')).toBe(text);
    expect(frames.pending()).toBe(0);
  });

  it('keeps each frame within its budget when the text turns costlier, by a piece at most', () => {
    const { frames, timed, renderer } = budgeted();
    // Cheap lines first, then lines four times as costly: a speed learned on the first would
    // overrun the budget on the second.
    const text = `${'x'.repeat(99)}\n`.repeat(300) + `${'t'.repeat(99)}\n`.repeat(300);
    renderer.push(text);
    const times: number[] = [];
    for (let frame = 0; frame < 100 && frames.pending() > 0; frame++) {
      times.push(frameOf(frames, timed).ms);
    }
    expect(timed.writes.join('')).toBe(text);
    // Past the budget by one piece at most, the costliest (2,000 characters of `t`, 80 ms); a
    // write sized from the cheap lines' speed would take 5,000 of them, 200 ms.
    expect(Math.max(...times)).toBeLessThanOrEqual(50 + 80 + 1);
  });

  it('starts with small pieces, so that a first write of cold, costly code stays near its budget', () => {
    const frames = fakeFrames();
    let clock = 0;
    const writes: string[] = [];
    // Ten times as slow for its first 5,000 characters as a warmed-up sink (1 ms per 10).
    let written = 0;
    const renderer = createRenderer(
      {
        append(text) {
          writes.push(text);
          for (let i = 0; i < text.length; i++, written++)
            clock += written < 5000 ? 1 / 10 : 1 / 100;
        },
        replaceChildren() {},
      },
      { scheduler: frames.scheduler, frameBudgetMs: 50, now: () => clock },
    );
    const text = `${'x'.repeat(99)}\n`.repeat(400);
    renderer.push(text);
    const times: number[] = [];
    for (let frame = 0; frame < 100 && frames.pending() > 0; frame++) {
      const started = clock;
      frames.runFrame();
      times.push(clock - started);
    }
    expect(writes.join('')).toBe(text);
    // A first piece of 2,000 cold characters alone would take 200 ms; one of 250 takes 25.
    expect(Math.max(...times)).toBeLessThanOrEqual(50 + 25 + 1);
    // Warmed up, the pieces grow back to their full size.
    expect(Math.max(...writes.map((piece) => piece.length))).toBe(PIECE_CHARS);
  });

  it('with a frame budget, asks for another frame until all is written', () => {
    const frames = fakeFrames();
    const { sink, text } = fakeSink();
    let clock = 0;
    const renderer = createRenderer(
      {
        append(chunk) {
          sink.append(chunk);
          clock += chunk.length;
        },
        replaceChildren: () => sink.replaceChildren(),
      },
      { scheduler: frames.scheduler, frameBudgetMs: 1, now: () => clock },
    );
    const all = 'line\n'.repeat(2000);
    renderer.push(all);
    let count = 0;
    while (frames.pending() > 0 && count < 100) {
      frames.runFrame();
      count++;
    }
    expect(text()).toBe(all);
    expect(count).toBeGreaterThan(1);
  });

  it('drains over frames within the budget, then says so: never all at once', () => {
    const frames = fakeFrames();
    const { sink, writes, now } = timedSink();
    const renderer = createRenderer(sink, { scheduler: frames.scheduler, frameBudgetMs: 50, now });
    const text = `${'x'.repeat(99)}\n`.repeat(400);
    renderer.push(text);
    const done = vi.fn();
    renderer.drain(done);
    let count = 0;
    while (frames.pending() > 0 && count < 100) {
      expect(done).not.toHaveBeenCalled();
      frames.runFrame();
      count++;
    }
    expect(done).toHaveBeenCalledOnce();
    expect(writes.join('')).toBe(text);
    // Each frame writes what fits in its 50 ms: two pieces of 2,000 characters.
    expect(Math.max(...writes.map((write) => write.length))).toBeLessThanOrEqual(2000);
    expect(count).toBeGreaterThan(2);
  });

  it('drains at once when nothing is queued', () => {
    const frames = fakeFrames();
    const renderer = createRenderer(fakeSink().sink, { scheduler: frames.scheduler });
    const done = vi.fn();
    renderer.drain(done);
    expect(done).toHaveBeenCalledOnce();
    expect(frames.pending()).toBe(0);
  });

  it('ends a drain at once on flush, with everything written, and on clear', () => {
    const frames = fakeFrames();
    const { sink, text } = fakeSink();
    const renderer = createRenderer(sink, { scheduler: frames.scheduler });
    renderer.push('all of it');
    const flushed = vi.fn(() => expect(text()).toBe('all of it'));
    renderer.drain(flushed);
    renderer.flush();
    expect(flushed).toHaveBeenCalledOnce();

    renderer.push('more');
    const cleared = vi.fn();
    renderer.drain(cleared);
    renderer.clear();
    expect(cleared).toHaveBeenCalledOnce();
    frames.runFrame();
    expect(flushed).toHaveBeenCalledOnce();
    expect(cleared).toHaveBeenCalledOnce();
  });

  it('keeps a drain waiting while replaced text is written', () => {
    const frames = fakeFrames();
    const { sink, text } = fakeSink();
    const renderer = createRenderer(sink, { scheduler: frames.scheduler });
    renderer.push('old');
    const done = vi.fn();
    renderer.drain(done);
    renderer.replace('new text');
    expect(sink.cleared).toBe(1);
    expect(done).not.toHaveBeenCalled();
    frames.runFrame();
    expect(text()).toBe('new text');
    expect(done).toHaveBeenCalledOnce();
  });

  it('with continueWith, writes in tasks that each frame starts, a few per frame, never in the frame', () => {
    const { sink, writes, now } = timedSink();
    const { frames, continued, renderer, count } = continuing(sink, now);
    const text = `${'x'.repeat(99)}\n`.repeat(400);
    renderer.push(text);
    expect(continued.pending()).toBe(0);
    frames.runFrame();
    // The frame's task is left to style, layout and paint: the write comes in a task after it.
    expect(count.rendered).toBe(0);
    expect(frames.pending()).toBe(0);
    expect(continued.pending()).toBe(1);
    // Between two frames: the first write and the continued ones, then the next frame.
    for (let frame = 1; frame <= 2; frame++) {
      while (continued.pending() > 0) continued.runFrame();
      expect(count.rendered).toBe(frame * WRITES_PER_FRAME);
      expect(frames.pending()).toBe(1);
      frames.runFrame();
      expect(count.rendered).toBe(frame * WRITES_PER_FRAME);
    }
    for (let round = 0; round < 100 && frames.pending() + continued.pending() > 0; round++) {
      frames.runFrame();
      while (continued.pending() > 0) continued.runFrame();
    }
    expect(writes.join('')).toBe(text);
    // New text goes to the next frame again.
    renderer.push('more');
    expect(frames.pending()).toBe(1);
  });

  it('tells the sink its text is about to be painted once per frame, not after each write', () => {
    const { sink: timed, writes, now } = timedSink();
    const marks: number[] = [];
    const sink: TextSink = { ...timed, written: () => marks.push(count.rendered + 1) };
    const { frames, continued, renderer, count } = continuing(sink, now);
    renderer.push(`${'x'.repeat(99)}\n`.repeat(400));
    frames.runFrame();
    while (continued.pending() > 0) continued.runFrame();
    // The frame's first write, then the continued ones, which the next frame paints.
    expect(marks).toEqual([1]);
    frames.runFrame();
    continued.runFrame();
    expect(marks).toEqual([1, WRITES_PER_FRAME + 1]);
    for (let round = 0; round < 100 && frames.pending() + continued.pending() > 0; round++) {
      frames.runFrame();
      while (continued.pending() > 0) continued.runFrame();
    }
    // The write that emptied the queue, whichever it was.
    expect(marks.at(-1)).toBe(count.rendered);
    renderer.push('more');
    renderer.flush();
    expect(marks.at(-1)).toBe(count.rendered);
    expect(writes.at(-1)).toBe('more');
  });
});
