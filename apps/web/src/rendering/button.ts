/**
 * A button that never submits the form it sits in, with its class, label and attributes: code
 * blocks' and answers' copy buttons (`data-copy`, read by markdown/copy-actions.ts) and the turn
 * actions the page moves between turns.
 */
export function createButton(
  className: string,
  label: string,
  attributes: Readonly<Record<string, string>> = {},
): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = className;
  button.textContent = label;
  for (const [name, value] of Object.entries(attributes)) button.setAttribute(name, value);
  return button;
}
