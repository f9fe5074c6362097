import type { ChatMessage } from '@gpt-stream/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeMockAnswer } from './mock-answer.ts';
import { tokenize } from './tokenize.ts';

const ask = (content: string): ChatMessage[] => [{ role: 'user', content }];

const turn = fc.record(
  { role: fc.constantFrom('user' as const, 'assistant' as const), content: fc.string() },
  { noNullPrototype: true },
);
const conversation = fc
  .tuple(fc.array(turn, { maxLength: 6 }), fc.string({ minLength: 1 }))
  .map(([turns, question]): ChatMessage[] => [...turns, { role: 'user', content: question }]);

/** 200 different one-question conversations: enough to see what "now and then" amounts to. */
const many = Array.from({ length: 200 }, (_, index) => writeMockAnswer(ask(`Question ${index}`)));

describe('writeMockAnswer', () => {
  it('answers a conversation the same way every time', () => {
    fc.assert(
      fc.property(conversation, (messages) => {
        const first = writeMockAnswer(messages);
        expect(writeMockAnswer(structuredClone(messages))).toBe(first);
      }),
    );
  });

  it('answers the same question differently after a different history', () => {
    const question = { role: 'user', content: 'And behind a proxy?' } as const;
    const histories: ChatMessage[][] = [
      [],
      [{ role: 'system', content: 'Be brief.' }],
      [
        { role: 'user', content: 'How does SSE work?' },
        { role: 'assistant', content: 'One long response.' },
      ],
      [
        { role: 'user', content: 'How does SSE work?' },
        { role: 'assistant', content: 'One long response!' },
      ],
      [
        { role: 'user', content: 'How does SSE work?' },
        { role: 'assistant', content: '' },
      ],
      // The same text, moved from one turn to the next, is another history.
      [
        { role: 'user', content: 'How does SSE' },
        { role: 'assistant', content: ' work?' },
      ],
      [
        { role: 'user', content: 'How does SSE work?' },
        { role: 'assistant', content: 'One long response.' },
        { role: 'user', content: 'Why not WebSockets?' },
        { role: 'assistant', content: 'Simpler.' },
      ],
    ];
    const answers = histories.map((history) => writeMockAnswer([...history, question]));
    expect(new Set(answers).size).toBe(answers.length);
  });

  it('answers different questions differently', () => {
    expect(new Set(many).size).toBe(many.length);
  });

  it('is about the last user message, and says what it follows on from', () => {
    expect(writeMockAnswer(ask('How do I stream tokens to a browser?'))).toContain(
      'You asked about "How do I stream tokens to a browser?".',
    );
    const followUp = writeMockAnswer([
      { role: 'user', content: 'How do I stream tokens?' },
      { role: 'assistant', content: 'With SSE.' },
      { role: 'user', content: 'And behind nginx?' },
    ]);
    expect(followUp).toContain(
      'You asked about "And behind nginx?", following on from "How do I stream tokens?".',
    );
  });

  it('keeps a long question to its first words', () => {
    expect(writeMockAnswer(ask('one two three four five six seven eight nine ten'))).toContain(
      '"one two three four five six seven eight..."',
    );
  });

  it('writes Markdown: headings, paragraphs with inline styles, and a list in every answer', () => {
    for (const answer of many) {
      const blocks = answer.split('\n\n');
      expect(blocks.length).toBeGreaterThanOrEqual(6);
      expect(blocks.filter((block) => /^#{2,3} \S/.test(block)).length).toBeGreaterThanOrEqual(2);
      expect(answer).toMatch(/^(- \S.*|1\. \S.*)$/m);
      expect(answer).toMatch(/\*\*\S[^*\n]*\*\*|\*\S[^*\n]*\*|`[^`\n]+`/);
      expect(answer.split(/\s+/).length).toBeGreaterThan(100);
    }
  });

  it('writes bulleted and numbered lists, numbered in order', () => {
    expect(many.some((answer) => /^- \S/m.test(answer))).toBe(true);
    const numbered = many.filter((answer) => /^1\. \S/m.test(answer));
    expect(numbered.length).toBeGreaterThan(0);
    for (const answer of numbered) {
      const list = (/(?:^\d+\. .*\n?)+/m.exec(answer)?.[0] ?? '').trim().split('\n');
      expect(list.map((line) => line.split('.')[0])).toEqual(list.map((_, i) => String(i + 1)));
    }
  });

  it('includes a fenced code block with a language now and then, always closed', () => {
    const withCode = many.filter((answer) => answer.includes('```'));
    expect(withCode.length).toBeGreaterThan(many.length * 0.2);
    expect(withCode.length).toBeLessThan(many.length * 0.7);
    for (const answer of withCode) {
      const fences = answer.match(/^```.*$/gm) ?? [];
      expect(fences).toHaveLength(2);
      expect(fences[0]).toMatch(/^```[a-z]+$/);
      expect(fences[1]).toBe('```');
    }
  });

  it('includes a table sometimes, every row as wide as its header', () => {
    const withTable = many.filter((answer) => /^\| --- \|/m.test(answer));
    expect(withTable.length).toBeGreaterThan(many.length * 0.1);
    expect(withTable.length).toBeLessThan(many.length * 0.5);
    for (const answer of withTable) {
      const rows = (/(?:^\|.*\|\n?)+/m.exec(answer)?.[0] ?? '').trim().split('\n');
      expect(rows.length).toBeGreaterThanOrEqual(3);
      const widths = rows.map((row) => row.split('|').length);
      expect(new Set(widths).size).toBe(1);
    }
  });

  it('writes nothing outside ASCII of its own, so the answer stays a one-byte string', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record(
            {
              role: fc.constantFrom('user' as const, 'assistant' as const),
              content: fc.stringMatching(/^[a-z ?]{1,30}$/),
            },
            { noNullPrototype: true },
          ),
          { minLength: 1, maxLength: 5 },
        ),
        fc.stringMatching(/^[a-z]{1,10}( [a-z]{1,10}){0,4}\?$/),
        (turns, question) => {
          const answer = writeMockAnswer([...turns, { role: 'user', content: question }]);
          expect(answer).toMatch(/^[\x20-\x7e\n]*$/);
        },
      ),
    );
  });

  it('cuts into tokens of a realistic size, a few characters each on average', () => {
    const tokens = many.flatMap((answer) => tokenize(answer));
    const average = tokens.reduce((sum, token) => sum + token.length, 0) / tokens.length;
    expect(average).toBeGreaterThan(3);
    expect(average).toBeLessThan(6);
    expect(tokens.length / many.length).toBeGreaterThan(150);
    expect(tokens.length / many.length).toBeLessThan(600);
  });
});
