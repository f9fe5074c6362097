import { describe, expect, it, vi } from 'vitest';
import { fakeFrames } from '../test-support/fake-frames.ts';
import { createRenderer, type TextSink, WRITES_PER_FRAME } from './renderer.ts';

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

/** A sink that takes 1 ms of its clock per 100 characters, and records each write. */
function timedSink() {
  const clock = { now: 0 };
  const writes: string[] = [];
  const sink: TextSink = {
    append(text) {
      writes.push(text);
      clock.now += text.length / 100;
    },
    replaceChildren() {},
  };
  return { sink, writes, now: () => clock.now };
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

  it('with a frame budget, writes per frame what the sink can in that time, cut at line ends', () => {
    const frames = fakeFrames();
    const { sink, writes, now } = timedSink();
    const renderer = createRenderer(sink, { scheduler: frames.scheduler, frameBudgetMs: 50, now });
    const line = `${'x'.repeat(99)}\n`;
    const text = line.repeat(400);
    renderer.push(text);
    frames.runFrame();
    frames.runFrame();
    frames.runFrame();
    // The first frame guesses the speed; then each frame writes some 5,000 characters (50 ms).
    expect(writes.slice(1).map((write) => write.length)).toEqual([5000, 5000]);
    expect(writes.every((write) => write.endsWith('\n'))).toBe(true);
    renderer.flush();
    expect(writes.join('')).toBe(text);
    expect(frames.pending()).toBe(0);
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
    // After the first frame's guess, each frame writes what fits in its 50 ms.
    expect(Math.max(...writes.slice(1).map((write) => write.length))).toBeLessThanOrEqual(5000);
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

  it('continues a write the budget cut short with continueWith, a few times per frame', () => {
    const frames = fakeFrames();
    const continued = fakeFrames();
    const { sink, writes, now } = timedSink();
    const renderer = createRenderer(sink, {
      scheduler: frames.scheduler,
      continueWith: continued.scheduler,
      frameBudgetMs: 50,
      now,
    });
    const text = `${'x'.repeat(99)}\n`.repeat(400);
    renderer.push(text);
    frames.runFrame();
    expect(frames.pending()).toBe(0);
    expect(continued.pending()).toBe(1);
    // Between two frames: the frame's write and the continued ones, then the next frame.
    while (continued.pending() > 0) continued.runFrame();
    expect(writes).toHaveLength(WRITES_PER_FRAME);
    expect(frames.pending()).toBe(1);
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
    const frames = fakeFrames();
    const continued = fakeFrames();
    const { sink: timed, writes, now } = timedSink();
    const marks: number[] = [];
    const sink: TextSink = { ...timed, written: () => marks.push(writes.length) };
    const renderer = createRenderer(sink, {
      scheduler: frames.scheduler,
      continueWith: continued.scheduler,
      frameBudgetMs: 50,
      now,
    });
    renderer.push(`${'x'.repeat(99)}\n`.repeat(400));
    frames.runFrame();
    while (continued.pending() > 0) continued.runFrame();
    // The frame's write, then the continued ones, which the next frame paints.
    expect(marks).toEqual([1]);
    frames.runFrame();
    expect(marks).toEqual([1, WRITES_PER_FRAME + 1]);
    for (let round = 0; round < 100 && frames.pending() + continued.pending() > 0; round++) {
      frames.runFrame();
      while (continued.pending() > 0) continued.runFrame();
    }
    // The write that emptied the queue, whichever it was.
    expect(marks.at(-1)).toBe(writes.length);
    renderer.push('more');
    renderer.flush();
    expect(marks.at(-1)).toBe(writes.length);
  });
});
