import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBlockSink } from './text-blocks.ts';

/** Blocks as arrays of the pieces appended to them. */
function fakeContainer() {
  const blocks: string[][] = [];
  const container = {
    append(block: { pieces: string[] }) {
      blocks.push(block.pieces);
    },
    replaceChildren() {
      blocks.length = 0;
    },
  };
  const createBlock = () => {
    const pieces: string[] = [];
    return { pieces, append: (text: string) => void pieces.push(text) };
  };
  return { blocks, container, createBlock, texts: () => blocks.map((pieces) => pieces.join('')) };
}

describe('createBlockSink', () => {
  it('keeps short text in one block', () => {
    const fake = fakeContainer();
    const sink = createBlockSink(fake.container, fake.createBlock, 20);

    sink.append('one\n');
    sink.append('two ');
    sink.append('three');

    expect(fake.texts()).toEqual(['one\ntwo three']);
  });

  it('starts a new block after the first line end past the capacity', () => {
    const fake = fakeContainer();
    const sink = createBlockSink(fake.container, fake.createBlock, 10);

    sink.append('aaaa\nbbbb\ncccc\ndddd');

    expect(fake.texts()).toEqual(['aaaa\nbbbb\n', 'cccc\ndddd']);
  });

  it('never cuts a line, however long', () => {
    const fake = fakeContainer();
    const sink = createBlockSink(fake.container, fake.createBlock, 4);
    const line = 'x'.repeat(50);

    sink.append(line);
    sink.append(`${line}\nnext`);

    expect(fake.texts()).toEqual([`${line}${line}\n`, 'next']);
  });

  it('splits one large write into many blocks of whole lines', () => {
    const fake = fakeContainer();
    const sink = createBlockSink(fake.container, fake.createBlock, 100);
    const text = Array.from({ length: 200 }, (_, index) => `line ${index}`).join('\n');

    sink.append(text);

    expect(fake.texts().join('')).toBe(text);
    expect(fake.blocks.length).toBeGreaterThan(10);
    for (const block of fake.texts().slice(0, -1)) {
      expect(block.endsWith('\n')).toBe(true);
      expect(block.length).toBeLessThanOrEqual(100 + 'line 199\n'.length);
    }
  });

  it('keeps the text exact for any writes and any capacity', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', ' ', '\n', '\r', '\t', '👍') })),
        fc.integer({ min: 1, max: 30 }),
        (writes, capacity) => {
          const fake = fakeContainer();
          const sink = createBlockSink(fake.container, fake.createBlock, capacity);
          for (const text of writes) sink.append(text);
          expect(fake.texts().join('')).toBe(writes.join(''));
          for (const block of fake.texts().slice(0, -1)) expect(block.endsWith('\n')).toBe(true);
          expect(fake.texts().every((block) => block !== '')).toBe(true);
        },
      ),
    );
  });

  it('empties the container and starts afresh', () => {
    const fake = fakeContainer();
    const sink = createBlockSink(fake.container, fake.createBlock, 10);
    sink.append('old');

    sink.replaceChildren();
    sink.append('new');

    expect(fake.texts()).toEqual(['new']);
  });
});
