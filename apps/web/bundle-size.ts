import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** The page's JavaScript budget, gzipped: what every visitor downloads before the first token. */
export const JS_BUDGET_BYTES = 18_000;

export interface ChunkSize {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export function measureChunks(chunks: Record<string, string>): ChunkSize[] {
  return Object.entries(chunks).map(([file, code]) => ({
    file,
    bytes: Buffer.byteLength(code),
    gzipBytes: gzipSync(code, { level: 9 }).length,
  }));
}

export function formatReport(sizes: readonly ChunkSize[], budget: number): string {
  const total = sizes.reduce((sum, size) => sum + size.gzipBytes, 0);
  const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
  return `page JavaScript: ${kb(total)} gzipped in ${sizes.length} file(s), budget ${kb(budget)}`;
}

/**
 * Prints the gzipped size of all the page's JavaScript after every build, and fails the build
 * when it exceeds the budget, so that a heavy import (classic zod is 15 KB on its own) is noticed
 * the day it lands, not in a later audit.
 */
export function bundleBudget(budget: number = JS_BUDGET_BYTES): Plugin {
  return {
    name: 'gpt-stream:bundle-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks: Record<string, string> = {};
      for (const [file, output] of Object.entries(bundle)) {
        if (output.type === 'chunk') chunks[file] = output.code;
      }
      const sizes = measureChunks(chunks);
      const report = formatReport(sizes, budget);
      const total = sizes.reduce((sum, size) => sum + size.gzipBytes, 0);
      if (total > budget) this.error(`${report}: over budget.`);
      console.log(`\n${report}`);
    },
  };
}
