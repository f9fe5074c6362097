// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { type CodeBlock, createCodeBlock } from './code-block.ts';
import type { Highlighter } from './highlight/types.ts';
import { BUSY_SLICE_MS, createIdleHighlighting, MAX_SLICE_MS } from './idle-highlighting.ts';
import { fakeIdle } from './test-support/fake-idle.ts';

/** A highlighter that costs 1 ms of the fake clock per line, and records what it highlights. */
function setUp() {
  let clock = 0;
  const seen: string[] = [];
  const highlighter: Highlighter = {
    forLanguage: () => (line) => {
      clock += 1;
      seen.push(line);
      return [{ text: line, className: 'token x' }];
    },
  };
  const idle = fakeIdle();
  const later = createIdleHighlighting(idle.scheduler, () => clock);
  const block = (): CodeBlock =>
    createCodeBlock('js', highlighter, (waiting) => later.add(waiting));
  return { idle, later, block, seen };
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

  it('forgets every block on clear', () => {
    const { idle, later, block, seen } = setUp();
    block().addLine('a');
    later.clear();
    expect(idle.pending()).toBe(0);
    idle.run(50);
    expect(seen).toEqual([]);
  });
});
