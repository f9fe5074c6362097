/** Runs the page's rendering benchmark (apps/web's own `bench` script) when the page has one. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Seen from the bundle this runs as, bench/dist/suite.js.
const webPackage = fileURLToPath(new URL('../../apps/web/package.json', import.meta.url));
const PAGE_BENCH_TIMEOUT_MS = 15 * 60_000;

export type PageBenchResult = { ran: true; results: unknown } | { ran: false; reason: string };

export async function runPageBench(): Promise<PageBenchResult> {
  const scripts = (
    JSON.parse(readFileSync(webPackage, 'utf8')) as { scripts?: Record<string, string> }
  ).scripts;
  if (!scripts?.bench) return { ran: false, reason: 'apps/web has no "bench" script yet' };
  const output = join(tmpdir(), `gpt-stream-page-bench-${process.pid}.json`);
  const child = spawn('pnpm', ['--filter', '@gpt-stream/web', 'bench'], {
    env: { ...process.env, BENCH_JSON: output },
    stdio: 'inherit',
  });
  const killer = setTimeout(() => child.kill('SIGTERM'), PAGE_BENCH_TIMEOUT_MS);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(killer);
  if (code !== 0) return { ran: false, reason: `the page benchmark exited with ${code}` };
  if (!existsSync(output)) return { ran: false, reason: 'the page benchmark wrote no JSON' };
  const results: unknown = JSON.parse(readFileSync(output, 'utf8'));
  rmSync(output);
  return { ran: true, results };
}
