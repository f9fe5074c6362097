// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMarkdownDocument } from './markdown-document.ts';
import { fakeIdle } from './test-support/fake-idle.ts';
import { warmUp } from './warm-up.ts';

/** What an answer can contain, each in a type style of its own. */
const KINDS = [
  'h1',
  'h2',
  'h3',
  'strong',
  'em',
  'del',
  'code',
  'a',
  'ol',
  'ul',
  'li',
  'input',
  'blockquote',
  'table',
  'th',
  'td',
  '.md-code pre',
  'hr',
];

afterEach(() => {
  vi.restoreAllMocks();
  document.body.replaceChildren();
});

describe('warmUp', () => {
  it('waits for idle time', () => {
    const idle = fakeIdle();
    warmUp(createMarkdownDocument, idle.scheduler);
    expect(idle.pending()).toBe(1);
    expect(document.body.childElementCount).toBe(0);
  });

  it('lays out every kind of block and inline Markdown, hidden, in the answers’ styles', () => {
    const idle = fakeIdle();
    const laidOut: string[][] = [];
    vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockImplementation(function (
      this: HTMLElement,
    ) {
      expect(this.isConnected).toBe(true);
      expect(this.className).toBe('output md-warm-up');
      expect(this.dataset.renderMode).toBe('markdown');
      expect(this.getAttribute('aria-hidden')).toBe('true');
      laidOut.push(KINDS.filter((selector) => this.querySelector(selector)));
      return new DOMRect();
    });
    warmUp(createMarkdownDocument, idle.scheduler);
    idle.run(10);
    expect(laidOut).toEqual([KINDS]);
  });

  it('leaves nothing behind', () => {
    const idle = fakeIdle();
    document.body.innerHTML = '<main id="page"></main>';
    warmUp(createMarkdownDocument, idle.scheduler);
    idle.run(10);
    expect(document.body.innerHTML).toBe('<main id="page"></main>');
    expect(idle.pending()).toBe(0);
  });
});
