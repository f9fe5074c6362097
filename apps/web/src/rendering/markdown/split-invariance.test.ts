// @vitest-environment happy-dom
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prismHighlighter } from './highlight/prism-highlighter.ts';
import type { Highlighter } from './highlight/types.ts';
import { createMarkdownDocument } from './markdown-document.ts';
import { fakeIdle } from './test-support/fake-idle.ts';
import { renderChunks, splitAt } from './test-support/render.ts';

/** Pieces that make and break every structure the renderer knows, in any order. */
const piece = fc.oneof(
  fc.constantFrom(
    '# ',
    '### ',
    '- ',
    '* ',
    '1. ',
    '2) ',
    '  ',
    '    ',
    '> ',
    '- [ ] ',
    '- [x] ',
    '```',
    '```js',
    '```py',
    '~~~',
    '\n',
    '\n\n',
    '\r\n',
    '\t',
    '| a | b |',
    '|---|:-:|',
    '| 1 |',
    '|',
    '**',
    '*',
    '_',
    '__',
    '~~',
    '`',
    '``',
    '\\',
    '[',
    ']',
    '(',
    ')',
    '](',
    '[t](https://e.com/x)',
    '![i](https://e.com/i.png)',
    '<https://e.com>',
    'https://e.com/p.',
    'javascript:alert(1)',
    '<b>',
    '&amp;',
    '&#x3C;',
    '/*',
    '*/',
    '"""',
    'word',
    'two words',
    'snake_case',
    '---',
    '***',
  ),
  fc.string({ maxLength: 6 }),
);
const answer = fc.array(piece, { maxLength: 40 }).map((pieces) => pieces.join(''));
const cuts = fc.array(fc.nat(), { maxLength: 12 });

describe('split invariance', () => {
  it('renders any answer, cut anywhere into chunks, exactly as in one piece', () => {
    fc.assert(
      fc.property(answer, cuts, (text, offsets) => {
        const whole = renderChunks([text]).innerHTML;
        expect(renderChunks(splitAt(text, offsets)).innerHTML).toBe(whole);
      }),
      { numRuns: 600 },
    );
  });

  it('holds one character at a time, with the highlighter', () => {
    fc.assert(
      fc.property(answer, (text) => {
        const whole = renderChunks([text], prismHighlighter).innerHTML;
        expect(renderChunks([...text], prismHighlighter).innerHTML).toBe(whole);
      }),
      { numRuns: 200 },
    );
  });

  it('ends the same when the highlighter arrives in the middle of the stream', async () => {
    await fc.assert(
      fc.asyncProperty(answer, cuts, async (text, offsets) => {
        let arrive: (highlighter: Highlighter) => void = () => {};
        const loaded = new Promise<Highlighter>((resolve) => {
          arrive = resolve;
        });
        const root = document.createElement('div');
        const markdown = createMarkdownDocument(root, { loadHighlighter: () => loaded });
        const chunks = splitAt(text, offsets);
        const half = Math.floor(chunks.length / 2);
        for (const chunk of chunks.slice(0, half)) markdown.append(chunk);
        arrive(prismHighlighter);
        await loaded;
        for (const chunk of chunks.slice(half)) markdown.append(chunk);
        expect(root.innerHTML).toBe(renderChunks([text], prismHighlighter).innerHTML);
      }),
      { numRuns: 150 },
    );
  });

  it('ends the same when code is coloured in idle time, whenever the page is idle', () => {
    fc.assert(
      fc.property(answer, cuts, fc.array(fc.boolean()), (text, offsets, idleAfter) => {
        const idle = fakeIdle();
        const root = document.createElement('div');
        const markdown = createMarkdownDocument(root, {
          highlighter: prismHighlighter,
          idle: idle.scheduler,
        });
        for (const [i, chunk] of splitAt(text, offsets).entries()) {
          markdown.append(chunk);
          if (idleAfter[i]) idle.run(1);
        }
        while (idle.pending() > 0) idle.run(50);
        expect(root.innerHTML).toBe(renderChunks([text], prismHighlighter).innerHTML);
      }),
      { numRuns: 300 },
    );
  });
});
