/** Starts the servers under test and the load generator as separate, optionally pinned, processes. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { LoadJob, LoadMessage, LoadResult, SuiteMessage } from '../load/load-job.ts';

// Seen from the bundle this runs as, bench/dist/suite.js, next to the other bundles.
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const benchDist = fileURLToPath(new URL('./', import.meta.url));

export type TargetName = 'raw' | 'server';

/** How the project's server is started: its production bundle, or its source through tsx. */
export type ServerBuild = 'dist' | 'src';

/** The cores the server and the load generator run on, when they can be kept apart. */
export const cores: { server: number; load: number } | undefined = (() => {
  if (availableParallelism() < 2) return undefined;
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return { server: 0, load: 1 };
  } catch {
    return undefined;
  }
})();

function spawnPinned(
  core: number | undefined,
  args: string[],
  options: Parameters<typeof spawn>[2],
) {
  // taskset execs node in place, so the child's pid is node's own.
  return core === undefined
    ? spawn(process.execPath, args, options)
    : spawn('taskset', ['-c', String(core), process.execPath, ...args], options);
}

export interface RunningServer {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

export interface ServerOptions {
  build: ServerBuild;
  /** Writes a V8 CPU profile of the server into this folder when it exits. */
  cpuProfileDir?: string | undefined;
}

/**
 * The per-address rate limit and the stream cap are guards against untrusted clients; one load
 * generator opening thousands of streams from one address is exactly what they refuse.
 */
const LIMITS_OFF = {
  RATE_LIMIT_MAX: '0',
  MAX_CONCURRENT_STREAMS: '0',
  MAX_CONCURRENT_READERS: '0',
  MAX_STREAMS_PER_CLIENT: '0',
};

export async function startServer(
  target: TargetName,
  { build, cpuProfileDir }: ServerOptions,
  env: Record<string, string>,
): Promise<RunningServer> {
  const profile = cpuProfileDir
    ? [
        '--cpu-prof',
        '--cpu-prof-dir',
        cpuProfileDir,
        '--cpu-prof-name',
        `${target}-${Date.now()}.cpuprofile`,
      ]
    : [];
  const entry =
    target === 'raw'
      ? [`${benchDist}raw-server.js`]
      : build === 'dist'
        ? [`${repoRoot}apps/server/dist/main.js`]
        : ['--import', 'tsx', `${repoRoot}apps/server/src/main.ts`];
  const child = spawnPinned(cores?.server, [...profile, ...entry], {
    cwd: `${repoRoot}apps/server`,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...LIMITS_OFF, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${target} did not start within 15 s`)),
      15_000,
    );
    let output = '';
    child.stdout?.setEncoding('utf8');
    const readPort = (chunk: string) => {
      output += chunk;
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        // From here on the log is thrown away as fast as it comes: kept and searched, it slowed
        // this process down until the server's synchronous log writes found the pipe full.
        child.stdout?.off('data', readPort);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', readPort);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${target} exited with ${code} before listening:\n${output}`));
    });
  });
  child.stdout?.resume();
  return { pid: child.pid as number, port, stop: () => stop(child) };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * Runs one job in a fresh load generator. `onCheckpoint` is called when held streams have all
 * started; the load generator goes on once it resolves.
 */
export async function runLoad(
  job: LoadJob,
  onCheckpoint: (started: number) => Promise<void> = async () => undefined,
): Promise<LoadResult> {
  const child = spawnPinned(cores?.load, [`${benchDist}load-generator.js`, JSON.stringify(job)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), job.deadlineMs * 2 + 30_000);
  try {
    return await new Promise<LoadResult>((resolve, reject) => {
      child.on('message', (message: LoadMessage) => {
        if (message.type === 'result') return resolve(message.result);
        onCheckpoint(message.started).then(
          () => child.send({ type: 'continue' } satisfies SuiteMessage),
          reject,
        );
      });
      child.once('exit', (code) => reject(new Error(`the load generator exited with ${code}`)));
    });
  } finally {
    clearTimeout(killer);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}
