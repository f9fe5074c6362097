import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeMockAnswer } from './mock-answer.ts';

describe('writeMockAnswer', () => {
  it('answers a prompt the same way every time', () => {
    fc.assert(
      fc.property(fc.string(), (prompt) => {
        const first = writeMockAnswer(prompt);
        expect(writeMockAnswer(prompt)).toBe(first);
      }),
    );
  });

  it('answers different prompts differently', () => {
    const answers = new Set(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((prompt) => writeMockAnswer(prompt)),
    );
    expect(answers.size).toBeGreaterThan(4);
  });

  it('writes several paragraphs of sentences that mention the prompt', () => {
    const answer = writeMockAnswer('How do I stream tokens to a browser?');
    expect(answer).toContain('"How do I stream tokens to a browser?"');
    expect(answer.split('\n\n').length).toBeGreaterThanOrEqual(4);
    expect(answer.split(/\s+/).length).toBeGreaterThan(100);
  });

  it('writes nothing outside ASCII of its own', () => {
    for (const prompt of [
      'a',
      'How do I stream tokens?',
      'one two three four five six seven eight nine',
    ]) {
      expect(writeMockAnswer(prompt)).toMatch(/^[\x20-\x7e\n]*$/);
    }
  });

  it('keeps a long prompt to its first words', () => {
    expect(writeMockAnswer('one two three four five six seven eight nine ten')).toContain(
      '"one two three four five six seven eight..."',
    );
  });
});
