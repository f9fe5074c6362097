/** Test support: the real entry point as a child process, as `pnpm dev` runs it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { freePort } from './ports.ts';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

export interface Running {
  child: ChildProcess;
  output: () => string;
}

const started: ChildProcess[] = [];

function spawnServer(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  return child;
}

/** Runs the server with the given environment on a free loopback port. */
export function runServer(env: Record<string, string>): Running {
  const child = spawnServer(env);
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  return { child, output: () => output };
}

/**
 * Runs the server with its log (stdout) piped to nobody that reads it: the pipe fills up, as a
 * log shipper that hung would leave it. Only stderr is collected. Resolves once it answers.
 */
export async function runServerWithUnreadLog(
  env: Record<string, string>,
): Promise<Running & { url: string }> {
  const port = await freePort();
  const child = spawnServer({ ...env, PORT: String(port) });
  child.stdout?.pause();
  let output = '';
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  await expect
    .poll(
      () =>
        fetch(`${url}/api/health`).then(
          ({ ok }) => ok,
          () => false,
        ),
      { timeout: 15_000 },
    )
    .toBe(true);
  return { child, output: () => output, url };
}

/** The server's URL, once it says it is listening. */
export async function listening(running: Running): Promise<string> {
  await expect.poll(running.output, { timeout: 15_000 }).toMatch(/http:\/\/127\.0\.0\.1:\d+/);
  return running.output().match(/http:\/\/127\.0\.0\.1:\d+/)?.[0] as string;
}

/** Kills, by pid, every server this test file started that is still running. */
export function killStartedServers(): void {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
}
