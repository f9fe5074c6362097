import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { headingAnchors, type RelativeLink, relativeLinks } from './markdown-links.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** What is wrong with a link of `doc`, or undefined when its file (and heading) exist. */
function problemOf(doc: string, link: RelativeLink): string | undefined {
  const target = link.path === '' ? doc : relative(ROOT, join(ROOT, dirname(doc), link.path));
  if (!existsSync(join(ROOT, target))) return 'no such file';
  if (link.anchor === undefined || !target.endsWith('.md')) return undefined;
  return headingAnchors(read(target)).has(link.anchor) ? undefined : 'no such heading';
}

describe('the documentation', () => {
  it('keeps README.md a page a newcomer reads in minutes: under 250 lines', () => {
    expect(read('README.md').trimEnd().split('\n').length).toBeLessThan(250);
  });

  it.each(DOCS)('%s links only to files and headings that exist', (doc) => {
    const broken = relativeLinks(read(doc)).flatMap((link) => {
      const problem = problemOf(doc, link);
      const anchor = link.anchor === undefined ? '' : `#${link.anchor}`;
      return problem ? [`${doc}:${link.line} -> ${link.path}${anchor} (${problem})`] : [];
    });
    expect(broken).toEqual([]);
  });
});
