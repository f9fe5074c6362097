import { describe, expect, it, vi } from 'vitest';
import { createRenderer, type TextSink } from './renderer.ts';
import { fakeFrames } from './test-support/fake-frames.ts';

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
    let clock = 0;
    const writes: string[] = [];
    // A sink that takes 1 ms per 100 characters.
    const sink: TextSink = {
      append(text) {
        writes.push(text);
        clock += text.length / 100;
      },
      replaceChildren() {},
    };
    const renderer = createRenderer(sink, {
      scheduler: frames.scheduler,
      frameBudgetMs: 50,
      now: () => clock,
    });
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
});
