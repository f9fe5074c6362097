import { describe, expect, it } from 'vitest';
import { safeHref } from './safe-url.ts';

describe('safeHref', () => {
  it.each([
    ['https://e.com/a?b#c', 'https://e.com/a?b#c'],
    ['HTTP://E.com', 'http://e.com/'],
    [' https://e.com ', 'https://e.com/'],
    ['mailto:me@e.com', 'mailto:me@e.com'],
  ])('keeps %j as %j', (raw, href) => {
    expect(safeHref(raw)).toBe(href);
  });

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    '\u0000javascript:alert(1)',
    '\u001fjavascript:alert(1)',
    '  javascript:alert(1)',
    'vbscript:x',
    'data:text/html,x',
    'file:///etc/passwd',
    'ftp://e.com',
    '//e.com',
    '/path',
    'path',
    '',
  ])('refuses %j', (raw) => {
    expect(safeHref(raw)).toBeNull();
  });
});
