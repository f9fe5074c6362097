import type { TextSink } from './renderer.ts';

/** Roughly how much text one block holds; a block ends only at a line end, so it may hold more. */
export const BLOCK_CHARS = 2000;

/** What the sink needs of the DOM: Elements satisfy these, and so do fakes in tests. */
export interface BlockNode {
  append(text: string): void;
}

export interface BlockContainer<B extends BlockNode> {
  append(block: B): void;
  replaceChildren(): void;
}

/**
 * Writes streamed text as a run of blocks of whole lines, each a `<span>` that styles.css makes
 * a full-width inline-block. One growing text run would be laid out again in full on every
 * frame, which makes a long answer quadratic (100,000 tokens: tasks of nearly a second); with
 * blocks only the last one changes. Inline-blocks, unlike block elements, add no line breaks of
 * their own, so the text looks, copies and reads (textContent, innerText) exactly as one run would.
 */
export function createBlockSink<B extends BlockNode>(
  container: BlockContainer<NoInfer<B>>,
  createBlock: () => B,
  blockChars = BLOCK_CHARS,
): TextSink {
  let block: B | null = null;
  let size = 0;
  return {
    append(text) {
      let rest = text;
      while (rest !== '') {
        if (!block) {
          block = createBlock();
          container.append(block);
          size = 0;
        }
        // The first line end at or past the block's capacity closes it; before that, all goes in.
        const lineEnd =
          size + rest.length > blockChars ? rest.indexOf('\n', blockChars - size - 1) : -1;
        const piece = lineEnd === -1 ? rest : rest.slice(0, lineEnd + 1);
        block.append(piece);
        size += piece.length;
        rest = rest.slice(piece.length);
        if (lineEnd !== -1) block = null;
      }
    },
    replaceChildren() {
      block = null;
      container.replaceChildren();
    },
  };
}
