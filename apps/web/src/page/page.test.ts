import { describe, expect, it } from 'vitest';
import { requireElement } from './page.ts';

class FakeElement {
  constructor(readonly tagName: string) {}
}
class FakeTextArea extends FakeElement {}

function root(elements: Record<string, FakeElement>) {
  return {
    getElementById: (id: string) => (elements[id] ?? null) as unknown as Element | null,
  };
}

describe('requireElement', () => {
  it('returns the element when it has the expected type', () => {
    const prompt = new FakeTextArea('TEXTAREA');
    expect(requireElement(root({ prompt }), 'prompt', FakeTextArea as never)).toBe(prompt);
  });

  it('fails loudly, naming the id, when the element is missing', () => {
    expect(() => requireElement(root({}), 'gpt-output', FakeElement as never)).toThrow(
      'index.html has no #gpt-output',
    );
  });

  it('fails loudly when the element has the wrong type', () => {
    expect(() =>
      requireElement(root({ prompt: new FakeElement('INPUT') }), 'prompt', FakeTextArea as never),
    ).toThrow('#prompt must be a FakeTextArea, found <input>');
  });
});
