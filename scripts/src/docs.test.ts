import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { headingAnchors, relativeLinks } from './markdown-links.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('the documentation', () => {
  it('keeps README.md a page a newcomer reads in minutes: under 250 lines', () => {
    expect(read('README.md').trimEnd().split('\n').length).toBeLessThan(250);
  });

  it.each(DOCS)('%s links only to files and headings that exist', (doc) => {
    const broken: string[] = [];
    for (const link of relativeLinks(read(doc))) {
      const target = link.path === '' ? doc : relative(ROOT, join(ROOT, dirname(doc), link.path));
      const where = `${doc}:${link.line} -> ${link.path}${link.anchor ? `#${link.anchor}` : ''}`;
      if (!existsSync(join(ROOT, target))) broken.push(`${where} (no such file)`);
      else if (link.anchor && target.endsWith('.md') && !headingAnchors(read(target)).has(link.anchor))
        broken.push(`${where} (no such heading)`);
    }
    expect(broken).toEqual([]);
  });
});
