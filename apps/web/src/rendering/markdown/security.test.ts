// @vitest-environment happy-dom
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALLOWED_PROTOCOLS } from './safe-url.ts';
import { renderChunks } from './test-support/render.ts';

const TAGS = new Set(
  'P BR H1 H2 H3 H4 H5 H6 STRONG EM DEL CODE PRE A UL OL LI INPUT BLOCKQUOTE HR TABLE THEAD TBODY TR TH TD DIV SPAN BUTTON'.split(
    ' ',
  ),
);
const ATTRIBUTES = new Set([
  'href',
  'rel',
  'target',
  'class',
  'type',
  'disabled',
  'checked',
  'start',
  'data-copy',
  'aria-label',
]);
const CLASS_NAME = /^[a-z0-9+#-]{1,40}$/;

/** Everything a hostile answer could smuggle into the DOM, checked on every element. */
function expectInert(root: HTMLElement): void {
  for (const element of root.querySelectorAll('*')) {
    expect(TAGS, element.outerHTML).toContain(element.tagName);
    for (const { name } of element.attributes)
      expect(ATTRIBUTES, element.outerHTML).toContain(name);
    for (const name of element.classList) expect(name).toMatch(CLASS_NAME);
    if (element.tagName === 'INPUT') {
      expect(element.getAttribute('type')).toBe('checkbox');
      expect(element.hasAttribute('disabled')).toBe(true);
    }
    if (element.tagName === 'BUTTON') expect(element.getAttribute('type')).toBe('button');
    const href = element.getAttribute('href');
    if (href !== null) {
      expect(ALLOWED_PROTOCOLS).toContain(new URL(href).protocol);
      expect(element.getAttribute('rel')).toBe('noopener noreferrer');
      expect(element.getAttribute('target')).toBe('_blank');
    }
  }
}

function renderEveryWay(markdown: string): HTMLElement {
  const whole = renderChunks([markdown]);
  expectInert(whole);
  expectInert(renderChunks([...markdown]));
  // As the answer streams, each unfinished line is inert too.
  for (let end = 1; end < markdown.length; end += 3)
    expectInert(renderChunks([markdown.slice(0, end)]));
  return whole;
}

const hostileUrls = [
  'javascript:alert(1)',
  'JAVASCRIPT:alert(1)',
  'JaVaScRiPt:alert(1)',
  ' javascript:alert(1)',
  '<javascript:alert(1)>',
  'java&#x09;script:alert(1)',
  'java&#10;script:alert(1)',
  '&#106;avascript:alert(1)',
  '&#x6A;avascript:alert(1)',
  'javascript&#58;alert(1)',
  'javascript&colon;alert(1)',
  '\u0001javascript:alert(1)',
  '&#1;javascript:alert(1)',
  '%6Aavascript:alert(1)',
  'javascript://%0aalert(1)',
  'vbscript:msgbox(1)',
  'VBScript:msgbox(1)',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'DATA:text/html,<script>alert(1)</script>',
  'data:image/svg+xml,<svg onload=alert(1)>',
  'file:///etc/passwd',
  '//evil.example/x',
  '/relative/path',
  'blob:https://e.com/uuid',
];

describe('links from model output', () => {
  it.each(hostileUrls)('[x](%s) and ![x](%s) are text, not links', (url) => {
    for (const markdown of [`[click](${url})`, `![img](${url})`, `[click](${url} "t")\n`]) {
      const root = renderEveryWay(markdown);
      expect(root.querySelector('a[href]'), markdown).toBeNull();
    }
  });

  it.each(['<javascript:alert(1)>', '<vbscript:x>', '<data:text/html,x>', '<JAVASCRIPT:x>'])(
    'the autolink %s is text',
    (markdown) => {
      const root = renderEveryWay(markdown);
      expect(root.querySelector('a')).toBeNull();
      expect(root.textContent).toBe(markdown);
    },
  );

  it('keeps http, https and mailto links, opening in a new context without an opener', () => {
    const root = renderEveryWay('[a](https://e.com) [b](HTTP://E.COM/x) [c](mailto:me@e.com)\n');
    expect([...root.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual([
      'https://e.com/',
      'http://e.com/x',
      'mailto:me@e.com',
    ]);
  });

  it('never renders an image, so nothing is fetched', () => {
    const root = renderEveryWay('![pixel](https://tracker.example/p.gif)\n');
    expect(root.querySelector('img')).toBeNull();
    expect(root.querySelector('a')?.textContent).toBe('pixel');
  });
});

describe('raw HTML', () => {
  it.each([
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<svg onload=alert(1)>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<a href="javascript:alert(1)">x</a>',
    '<div onclick="alert(1)">click</div>',
    '<style>body{display:none}</style>',
    '<details open ontoggle=alert(1)>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<!-- <script>alert(1)</script> -->',
    '<object data="data:text/html,x"></object>',
  ])('%s shows as text', (html) => {
    for (const markdown of [
      html,
      `${html}\n`,
      `# ${html}\n`,
      `- ${html}\n`,
      `> ${html}\n`,
      `| ${html} |\n|-|\n| ${html} |\n`,
    ]) {
      const root = renderEveryWay(markdown);
      expect(root.textContent).toContain(html.replaceAll('|', ''));
    }
  });
});

describe('the fence language', () => {
  it.each([
    '"><img src=x onerror=alert(1)>',
    'js onload=alert(1)',
    'javascript" onmouseover="alert(1)',
    'JS<script>',
    'a'.repeat(100),
    'python{.class #id}',
    'lang-"x',
  ])('```%s gives a block without a dangerous class or label', (info) => {
    const root = renderEveryWay(`\`\`\`${info}\ncode\n\`\`\`\n`);
    const code = root.querySelector('code');
    expect(code?.textContent).toBe('code\n');
    const label = root.querySelector('.md-code-lang')?.textContent ?? '';
    expect(label).toMatch(/^[a-z0-9+#-]{1,32}$/);
  });

  it('keeps a plain language name as the class and label', () => {
    const root = renderEveryWay('```C#\nx\n```\n');
    expect(root.querySelector('code')?.className).toBe('lang-c#');
    expect(root.querySelector('.md-code-lang')?.textContent).toBe('c#');
  });
});

describe('any text', () => {
  const hostile = fc.oneof(
    fc.constantFrom(
      '<script>',
      '<img src=x onerror=alert(1)>',
      'javascript:',
      '](',
      '[',
      ')',
      '![',
      '<',
      '>',
      '&#',
      '&#x6A;',
      '```',
      '\n',
      '"',
      "'",
      ' on',
      'data:',
      'https://e.com',
      '`',
      '|',
      '- ',
      '> ',
    ),
    fc.string({ maxLength: 5 }),
  );
  it('never yields an element, attribute or URL outside the allowlists', () => {
    fc.assert(
      fc.property(fc.array(hostile, { maxLength: 30 }), (pieces) => {
        const markdown = pieces.join('');
        expectInert(renderChunks([markdown]));
      }),
      { numRuns: 500 },
    );
  });
});
