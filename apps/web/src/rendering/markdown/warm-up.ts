import type { TextSink } from '../renderer.ts';
import type { IdleScheduler } from './idle-highlighting.ts';

/** One of each block and inline form an answer can have, so one of each type style. */
export const WARM_UP_SAMPLE = [
  '# Heading',
  '## Heading',
  '### Heading',
  'Text with **strong**, *emphasis*, ***both***, ~~struck~~, `code` and a [link](https://example.com).',
  '',
  '- item',
  '  1. nested item',
  '- [x] task',
  '',
  '> quote',
  '',
  '| a | b |',
  '|:--|--:|',
  '| **x** | `y` |',
  '',
  '```ts',
  'const x = 1;',
  '```',
  '',
  '---',
  '',
].join('\n');

/**
 * Renders WARM_UP_SAMPLE out of sight, once, in idle time, lays it out and removes it, all in
 * one callback: nothing is painted, and nothing else on the page sees it. Otherwise a page's
 * first Markdown answer pays, in its first frames, for what happens only once per page:
 * Chromium matching each new typeface and size (bold, italic, monospace, the headings: up to
 * 6 ms each in the page bench, a call to the browser process on Linux) and V8 compiling the
 * renderer's functions (a first write of 250 characters took 14 to 18 ms).
 */
export function warmUp(createDocument: (root: HTMLElement) => TextSink, idle: IdleScheduler): void {
  idle.request(() => {
    const box = document.createElement('div');
    box.className = 'output md-warm-up';
    box.dataset.renderMode = 'markdown';
    box.setAttribute('aria-hidden', 'true');
    document.body.append(box);
    createDocument(box).append(WARM_UP_SAMPLE);
    // Reading a size lays it out now: text is shaped, so its fonts are matched.
    box.getBoundingClientRect();
    box.remove();
  });
}
