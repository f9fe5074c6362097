import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';
import { loadedWith } from './chunk-graph.ts';

/** The page's initial JavaScript budget, gzipped: what every visitor downloads before the first token. */
export const JS_BUDGET_BYTES = 20_000;

export interface ChunkSize {
  file: string;
  bytes: number;
  gzipBytes: number;
}

/** What a build says of a chunk: whether the page loads it at once, and what it imports. */
export interface ChunkInfo {
  code: string;
  isEntry: boolean;
  imports: readonly string[];
}

export function measureChunks(chunks: Record<string, string>): ChunkSize[] {
  return Object.entries(chunks).map(([file, code]) => ({
    file,
    bytes: Buffer.byteLength(code),
    gzipBytes: gzipSync(code, { level: 9 }).length,
  }));
}

/**
 * The chunks the page loads before anything else: its entries and whatever they import
 * statically. A chunk reached only through `import()` (the code highlighter) is lazy.
 */
export function initialChunks(chunks: Record<string, ChunkInfo>): Set<string> {
  const entries = Object.keys(chunks).filter((file) => chunks[file]?.isEntry);
  return loadedWith(entries, (file) => chunks[file]?.imports);
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
const total = (sizes: readonly ChunkSize[]) => sizes.reduce((sum, size) => sum + size.gzipBytes, 0);

export function formatReport(sizes: readonly ChunkSize[], budget: number): string {
  return `page JavaScript: ${kb(total(sizes))} gzipped in ${sizes.length} file(s), budget ${kb(budget)}`;
}

export function formatLazyReport(sizes: readonly ChunkSize[]): string {
  const files = sizes.map((size) => `${size.file} ${kb(size.gzipBytes)}`).join(', ');
  return `loaded on demand: ${kb(total(sizes))} gzipped (${files})`;
}

/**
 * Prints the gzipped size of the page's initial JavaScript after every build, and fails the
 * build when it exceeds the budget, so that a heavy import (classic zod is 15 KB on its own) is
 * noticed the day it lands, not in a later audit. Chunks loaded on demand are reported apart.
 */
export function bundleBudget(budget: number = JS_BUDGET_BYTES): Plugin {
  return {
    name: 'gpt-stream:bundle-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks: Record<string, ChunkInfo> = {};
      for (const [file, output] of Object.entries(bundle)) {
        if (output.type === 'chunk') {
          chunks[file] = { code: output.code, isEntry: output.isEntry, imports: output.imports };
        } else if (file.endsWith('.js')) {
          // A worker's script, built apart and emitted as an asset: the page starts it itself.
          const code =
            typeof output.source === 'string'
              ? output.source
              : Buffer.from(output.source).toString();
          chunks[file] = { code, isEntry: false, imports: [] };
        }
      }
      const initial = initialChunks(chunks);
      const sizes = measureChunks(
        Object.fromEntries(Object.entries(chunks).map(([file, chunk]) => [file, chunk.code])),
      );
      const first = sizes.filter((size) => initial.has(size.file));
      const lazy = sizes.filter((size) => !initial.has(size.file));
      const report = formatReport(first, budget);
      if (total(first) > budget) this.error(`${report}: over budget.`);
      console.log(`\n${report}`);
      if (lazy.length > 0) console.log(formatLazyReport(lazy));
    },
  };
}
