import { describe, expect, it } from 'vitest';
import { anchorOf, headingAnchors, relativeLinks } from './markdown-links.ts';

describe('relativeLinks', () => {
  it('finds links and images to files and anchors, with their lines', () => {
    const markdown = [
      'See [the docs](docs/models.md#keys-stay-on-the-server) and ![shot](docs/screenshot.png).',
      'Also [below](#running) and [a title](../README.md "README").',
    ].join('\n');
    expect(relativeLinks(markdown)).toEqual([
      { path: 'docs/models.md', anchor: 'keys-stay-on-the-server', line: 1 },
      { path: 'docs/screenshot.png', line: 1 },
      { path: '', anchor: 'running', line: 2 },
      { path: '../README.md', line: 2 },
    ]);
  });

  it('leaves out URLs with a scheme, code spans and fenced code', () => {
    const markdown = [
      '[site](https://getpino.io), [mail](mailto:a@example.com), `[not](a-link.md)`',
      '```md',
      '[inside](a-fence.md)',
      '```',
      '[after](after.md)',
    ].join('\n');
    expect(relativeLinks(markdown)).toEqual([{ path: 'after.md', line: 5 }]);
  });

  it('keeps a link whose text is code', () => {
    expect(relativeLinks('poll [`GET /api/health`](#health) now')).toEqual([
      { path: '', anchor: 'health', line: 1 },
    ]);
  });
});

describe('headingAnchors', () => {
  it('makes the anchors GitHub makes', () => {
    expect(anchorOf('Thinking (reasoning models)')).toBe('thinking-reasoning-models');
    expect(anchorOf('Keys stay on the server')).toBe('keys-stay-on-the-server');
    expect(anchorOf('`MAX_MESSAGES` and **more**')).toBe('max_messages-and-more');
    expect(anchorOf('A browser’s own EventSource')).toBe('a-browsers-own-eventsource');
    expect(anchorOf('[Linked](x.md) heading')).toBe('linked-heading');
  });

  it('numbers repeated headings and ignores lines in fences', () => {
    const markdown = ['# Title', '## Logs', '```sh', '# a comment', '```', '### Logs ##'].join(
      '\n',
    );
    expect([...headingAnchors(markdown)]).toEqual(['title', 'logs', 'logs-1']);
  });
});
