// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { installCopyActions } from './copy-actions.ts';
import { renderChunks } from './test-support/render.ts';

function clipboard() {
  const written: string[] = [];
  return { written, writeText: vi.fn(async (text: string) => void written.push(text)) };
}

describe('installCopyActions', () => {
  it("copies a code block's code exactly, from its own button", async () => {
    const root = renderChunks(['```py\ndef f():\n\treturn 1\n\n```\n```\nother\n```\n']);
    const board = clipboard();
    installCopyActions(root, () => null, board);
    root.querySelector<HTMLButtonElement>('.md-copy')?.click();
    await vi.waitFor(() => expect(board.written).toEqual(['def f():\n\treturn 1\n']));
    await vi.waitFor(() => expect(root.querySelector('.md-copy')?.textContent).toBe('Copied'));
  });

  it('copies what sourceOf gives for any other copy button', async () => {
    const root = document.createElement('div');
    const button = document.createElement('button');
    button.dataset.copy = 'answer';
    root.append(button);
    const board = clipboard();
    installCopyActions(
      root,
      (clicked) => (clicked === button ? '**exact** source\n' : null),
      board,
    );
    button.click();
    await vi.waitFor(() => expect(board.written).toEqual(['**exact** source\n']));
  });

  it('says so when the clipboard refuses', async () => {
    const root = renderChunks(['```\nx\n```\n']);
    installCopyActions(root, () => null, { writeText: () => Promise.reject(new Error('denied')) });
    root.querySelector<HTMLButtonElement>('.md-copy')?.click();
    await vi.waitFor(() => expect(root.querySelector('.md-copy')?.textContent).toBe('Copy failed'));
  });
});
