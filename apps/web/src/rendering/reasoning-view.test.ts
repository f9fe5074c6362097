import { describe, expect, it } from 'vitest';
import {
  createReasoningView,
  type ReasoningParts,
  THINKING_LABEL,
  thoughtLabel,
} from './reasoning-view.ts';
import type { FrameScheduler } from './renderer.ts';

/** A `<details>` of plain objects, with frames that run when the test says so. */
function fakeSection() {
  let text = '';
  const parts: ReasoningParts = {
    details: { open: false, hidden: true },
    summary: { textContent: THINKING_LABEL },
    text: {
      append: (piece) => {
        text += piece;
      },
      replaceChildren: () => {
        text = '';
      },
    },
  };
  const frames: (() => void)[] = [];
  const scheduler: FrameScheduler = {
    request: (callback) => frames.push(callback),
    cancel: () => undefined,
  };
  let time = 0;
  const view = createReasoningView(parts, { now: () => time, scheduler });
  return {
    parts,
    view,
    text: () => text,
    runFrame: () => {
      for (const callback of frames.splice(0)) callback();
    },
    advance: (ms: number) => {
      time += ms;
    },
  };
}

describe('thoughtLabel', () => {
  it.each([
    [0, 'Thought for 1 s'],
    [400, 'Thought for 1 s'],
    [2600, 'Thought for 3 s'],
    [61_000, 'Thought for 61 s'],
  ])('says %i ms as %s', (ms, label) => {
    expect(thoughtLabel(ms)).toBe(label);
  });
});

describe('createReasoningView', () => {
  it('stays hidden for an answer without thinking', () => {
    const section = fakeSection();
    section.view.answerStarted();
    section.view.end();
    expect(section.parts.details).toEqual({ open: false, hidden: true });
    expect(section.view.thoughtMs).toBeNull();
  });

  it('opens with the first thought and streams the thinking, a frame at a time', () => {
    const section = fakeSection();
    section.view.push('Let me');
    expect(section.parts.details).toEqual({ open: true, hidden: false });
    expect(section.parts.summary.textContent).toBe(THINKING_LABEL);
    expect(section.text()).toBe('');
    section.view.push(' think.');
    section.runFrame();
    expect(section.text()).toBe('Let me think.');
  });

  it('collapses once the answer starts, keeping the thinking, and says how long it took', () => {
    const section = fakeSection();
    section.view.push('Hmm.');
    section.advance(3200);
    section.view.push(' Yes.');
    section.view.answerStarted();
    expect(section.text()).toBe('Hmm. Yes.');
    expect(section.parts.details).toEqual({ open: false, hidden: false });
    expect(section.parts.summary.textContent).toBe('Thought for 3 s');
    expect(section.view.thoughtMs).toBe(3200);
    // Later deltas change nothing: the thinking is over.
    section.advance(5000);
    section.view.answerStarted();
    section.view.end();
    expect(section.view.thoughtMs).toBe(3200);
  });

  it('stops the clock but stays open when the stream ends mid-thinking (a Stop)', () => {
    const section = fakeSection();
    section.view.push('Still thinking');
    section.advance(1500);
    section.view.end();
    expect(section.text()).toBe('Still thinking');
    expect(section.parts.details).toEqual({ open: true, hidden: false });
    expect(section.parts.summary.textContent).toBe('Thought for 2 s');
  });

  it('restores an earlier answer collapsed, with its time when it is known', () => {
    const section = fakeSection();
    section.view.restore('Old thoughts.', 4000);
    expect(section.text()).toBe('Old thoughts.');
    expect(section.parts.details).toEqual({ open: false, hidden: false });
    expect(section.parts.summary.textContent).toBe('Thought for 4 s');
    section.view.restore('Older thoughts.');
    expect(section.text()).toBe('Older thoughts.');
    expect(section.parts.summary.textContent).toBe('Thoughts');
    section.view.restore('');
    expect(section.parts.details.hidden).toBe(true);
  });

  it('starts over when cleared, for a replay that brings the thinking again', () => {
    const section = fakeSection();
    section.view.push('First');
    section.view.answerStarted();
    section.view.clear();
    expect(section.text()).toBe('');
    expect(section.parts.details).toEqual({ open: false, hidden: true });
    section.advance(100);
    section.view.push('Again');
    section.advance(2000);
    section.view.answerStarted();
    expect(section.view.thoughtMs).toBe(2000);
  });
});
