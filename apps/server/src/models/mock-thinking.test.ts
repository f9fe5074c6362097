import type { ChatMessage } from '@gpt-stream/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeMockAnswer } from './mock-answer.ts';
import { writeMockThinking } from './mock-thinking.ts';
import { countTokens } from './tokenize.ts';

const ask = (content: string): ChatMessage[] => [{ role: 'user', content }];

describe('writeMockThinking', () => {
  it('thinks the same way about the same conversation every time', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (question) => {
        expect(writeMockThinking(structuredClone(ask(question)))).toBe(
          writeMockThinking(ask(question)),
        );
      }),
    );
  });

  it('thinks aloud about the question in a few plain paragraphs', () => {
    const thinking = writeMockThinking(ask('How do I stream tokens to a browser?'));
    expect(thinking).toContain('"How do I stream tokens to a browser?"');
    const paragraphs = thinking.split('\n\n');
    expect(paragraphs.length).toBeGreaterThanOrEqual(3);
    expect(paragraphs.length).toBeLessThanOrEqual(4);
    // Thinking is plain text: none of the answer's Markdown.
    expect(thinking).not.toMatch(/[*#`|]/);
  });

  it('is long enough to watch it stream, and not the answer', () => {
    for (let index = 0; index < 50; index++) {
      const messages = ask(`Question ${index}`);
      const tokens = countTokens(writeMockThinking(messages));
      expect(tokens).toBeGreaterThan(60);
      expect(tokens).toBeLessThan(400);
      expect(writeMockThinking(messages)).not.toBe(writeMockAnswer(messages));
    }
    const distinct = new Set(
      Array.from({ length: 50 }, (_, index) => writeMockThinking(ask(`Question ${index}`))),
    );
    expect(distinct.size).toBeGreaterThan(40);
  });

  it('thinks of a follow-up as a follow-up', () => {
    const thinking = writeMockThinking([
      { role: 'user', content: 'How does SSE work?' },
      { role: 'assistant', content: 'One long response.' },
      { role: 'user', content: 'And behind a proxy?' },
    ]);
    expect(thinking).toMatch(/following up|builds on the earlier question/);
  });

  it('writes nothing outside ASCII of its own, so the thinking stays a one-byte string', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{1,10}( [a-z]{1,10}){0,4}\?$/), (question) => {
        expect(writeMockThinking(ask(question))).toMatch(/^[\x20-\x7e\n]*$/);
      }),
    );
  });
});
