export interface Clipboard {
  writeText(text: string): Promise<void>;
}

const CONFIRM_MS = 1500;

/**
 * One listener for every copy button under `root`, present and future: a code block's button
 * (`data-copy="code"`) copies its code; any other `data-copy` button asks `sourceOf` for the
 * text, e.g. an answer's Markdown source. Buttons say "Copied" for a moment, or "Copy failed".
 */
export function installCopyActions(
  root: HTMLElement,
  sourceOf: (button: HTMLElement) => string | null,
  clipboard: Clipboard = navigator.clipboard,
): void {
  root.addEventListener('click', (event) => {
    const button = (event.target as Element | null)?.closest<HTMLElement>('button[data-copy]');
    if (!button || !root.contains(button)) return;
    const code = button.closest('.md-code')?.querySelector('code');
    const text = button.dataset.copy === 'code' && code ? codeText(code) : sourceOf(button);
    if (text === null) return;
    const label = button.textContent;
    clipboard.writeText(text).then(
      () => confirm(button, 'Copied', label),
      () => confirm(button, 'Copy failed', label),
    );
  });
}

function confirm(button: HTMLElement, message: string, label: string | null): void {
  button.textContent = message;
  button.dataset.copied = message === 'Copied' ? 'true' : 'false';
  setTimeout(() => {
    button.textContent = label;
    delete button.dataset.copied;
  }, CONFIRM_MS);
}

/**
 * The code a block holds, for its copy button: its text, without the last line's end. Here and
 * not in code-block.ts, so that the page loads the code block only with the Markdown renderer.
 */
export function codeText(code: HTMLElement): string {
  const text = code.textContent ?? '';
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}
