// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { createButton } from './button.ts';

describe('createButton', () => {
  it('never submits the form it sits in', () => {
    const form = document.createElement('form');
    let submitted = 0;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submitted++;
    });
    const button = createButton('turn-action', 'Edit');
    form.append(button);
    document.body.append(form);
    button.click();
    expect(submitted).toBe(0);
    form.append(Object.assign(document.createElement('button'), { textContent: 'Send' }));
    form.querySelector<HTMLButtonElement>('button:last-child')?.click();
    expect(submitted).toBe(1);
  });

  it('carries its class, label and attributes', () => {
    const button = createButton('md-copy', 'Copy', {
      'data-copy': 'code',
      'aria-label': 'Copy code',
    });
    expect(button.outerHTML).toBe(
      '<button type="button" class="md-copy" data-copy="code" aria-label="Copy code">Copy</button>',
    );
  });
});
