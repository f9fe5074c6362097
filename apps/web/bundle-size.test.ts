import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { formatLazyReport, formatReport, initialChunks, measureChunks } from './bundle-size.ts';

describe('measureChunks', () => {
  it('reports raw and gzipped bytes of each chunk', () => {
    const code = 'console.log("hello");\n'.repeat(200);
    const [size] = measureChunks({ 'assets/index.js': code });

    expect(size?.file).toBe('assets/index.js');
    expect(size?.bytes).toBe(code.length);
    expect(size?.gzipBytes).toBeLessThan(code.length / 10);
    expect(gunzipSync(gzipSync(code, { level: 9 })).toString()).toBe(code);
  });
});

describe('formatReport', () => {
  it('adds up every chunk against the budget', () => {
    const report = formatReport(
      [
        { file: 'a.js', bytes: 30_000, gzipBytes: 9_000 },
        { file: 'b.js', bytes: 10_000, gzipBytes: 3_450 },
      ],
      15_000,
    );
    expect(report).toBe('page JavaScript: 12.4 KB gzipped in 2 file(s), budget 15.0 KB');
  });
});

describe('initialChunks', () => {
  it('counts entries and what they import statically, not what is imported on demand', () => {
    const chunk = (isEntry: boolean, imports: string[] = []) => ({ code: '', isEntry, imports });
    const initial = initialChunks({
      'index.js': chunk(true, ['shared.js']),
      'shared.js': chunk(false, ['deep.js']),
      'deep.js': chunk(false),
      'highlighter.js': chunk(false, ['shared.js']),
    });
    expect([...initial].sort()).toEqual(['deep.js', 'index.js', 'shared.js']);
  });
});

describe('formatLazyReport', () => {
  it('names each chunk loaded on demand with its size', () => {
    expect(formatLazyReport([{ file: 'assets/prism.js', bytes: 50_000, gzipBytes: 17_100 }])).toBe(
      'loaded on demand: 17.1 KB gzipped (assets/prism.js 17.1 KB)',
    );
  });
});
