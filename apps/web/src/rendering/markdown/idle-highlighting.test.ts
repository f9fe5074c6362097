// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { type CodeBlock, createCodeBlock } from './code-block.ts';
import type { Highlighter } from './highlight/types.ts';
import {
  BUSY_SLICE_MS,
  createIdleHighlighting,
  FAST_CHARS,
  MAX_SLICE_MS,
  QUIET_MS,
} from './idle-highlighting.ts';
import { fakeIdle } from './test-support/fake-idle.ts';

/** A highlighter that costs 1 ms of the fake clock per line, and records what it highlights. */
function setUp() {
  const clock = { now: 0 };
  const seen: string[] = [];
  const highlighter: Highlighter = {
    forLanguage: () => (line) => {
      clock.now += 1;
      seen.push(line);
      return [{ text: line, className: 'token x' }];
    },
  };
  const idle = fakeIdle();
  const delayed: { callback: () => void; at: number }[] = [];
  const later = createIdleHighlighting(
    idle.scheduler,
    () => clock.now,
    (callback, ms) => delayed.push({ callback, at: clock.now + ms }),
  );
  const block = (): CodeBlock =>
    createCodeBlock('js', highlighter, (waiting) => later.add(waiting));
  /** Moves the clock on, running the delays that fall due. */
  const advance = (ms: number) => {
    clock.now += ms;
    for (const due of delayed.filter(({ at }) => at <= clock.now)) {
      delayed.splice(delayed.indexOf(due), 1);
      due.callback();
    }
  };
  return { idle, later, block, seen, advance, delayed };
}

describe('createIdleHighlighting', () => {
  it('highlights in idle time, no longer than the idle period allows, oldest block first', () => {
    const { idle, block, seen } = setUp();
    const first = block();
    const second = block();
    for (const line of ['a', 'b', 'c']) first.addLine(line);
    second.addLine('d');
    expect(seen).toEqual([]);
    expect(idle.pending()).toBe(1);
    idle.run(2);
    expect(seen).toEqual(['a', 'b']);
    idle.run(5);
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
    expect(idle.pending()).toBe(0);
    expect(first.code.querySelectorAll('.token')).toHaveLength(3);
  });

  it('takes at most a short slice of a long idle period, and one when the page never idled', () => {
    const { idle, block, seen } = setUp();
    const code = block();
    for (let i = 0; i < 40; i++) code.addLine(`line ${i}`);
    idle.run(50);
    expect(seen).toHaveLength(MAX_SLICE_MS);
    idle.run(0, true);
    expect(seen).toHaveLength(MAX_SLICE_MS + BUSY_SLICE_MS);
    while (idle.pending() > 0) idle.run(50);
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => `line ${i}`));
  });

  it('leaves the colours of a stream far faster than reading until it slows down', () => {
    const { idle, later, block, seen, advance } = setUp();
    const code = block();
    code.addLine('a');
    // A burst: more than FAST_CHARS within QUIET_MS.
    later.wrote(FAST_CHARS / 2);
    advance(QUIET_MS / 4);
    later.wrote(FAST_CHARS / 2 + 1);
    idle.run(50);
    expect(seen).toEqual([]);
    // Still streaming that fast: the wait goes on.
    advance(QUIET_MS / 2);
    later.wrote(FAST_CHARS + 1);
    advance(QUIET_MS / 2);
    expect(idle.pending()).toBe(1);
    idle.run(50);
    expect(seen).toEqual([]);
    advance(QUIET_MS);
    idle.run(50);
    expect(seen).toEqual(['a']);
  });

  it('runs a task when no fast stream arrives, once, in idle time', () => {
    const { idle, later, advance } = setUp();
    let runs = 0;
    later.wrote(FAST_CHARS + 1);
    later.whenQuiet(() => runs++);
    idle.run(50);
    expect(runs).toBe(0);
    advance(QUIET_MS);
    idle.run(50);
    idle.run(50);
    expect(runs).toBe(1);
    expect(idle.pending()).toBe(0);
  });

  it("colours a stream at a model's pace as it comes", () => {
    const { idle, later, block, seen, advance } = setUp();
    const code = block();
    for (const line of ['a', 'b', 'c']) {
      later.wrote(400);
      code.addLine(line);
      idle.run(50);
      advance(QUIET_MS / 2);
    }
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('forgets every block on clear', () => {
    const { idle, later, block, seen } = setUp();
    block().addLine('a');
    later.clear();
    expect(idle.pending()).toBe(0);
    idle.run(50);
    expect(seen).toEqual([]);
  });
});
