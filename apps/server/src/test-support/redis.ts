/** Test support: a real redis-server of the test's own, on a free loopback port. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from './ports.ts';

export { freePort };

export interface TestRedis {
  url: string;
  port: number;
  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
  /** Kills it (SIGKILL): connections drop, everything it held is gone. */
  kill(): Promise<void>;
  /** Starts it again, empty, on the same port (after `kill` or `stop`). */
  restart(): Promise<void>;
}

export interface TestRedisOptions {
  /** Started with `--requirepass`; the URL carries no password then. */
  password?: string;
  /** Allows DEBUG (SLEEP, to play a slow Redis) from loopback. */
  debug?: boolean;
}

function launch(port: number, { password, debug }: TestRedisOptions): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  if (password !== undefined) args.push('--requirepass', password);
  if (debug) args.push('--enable-debug-command', 'local');
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start within 10 s:\n${output}`));
    }, 10_000);
    child.stdout?.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not run redis-server (apt-get install -y redis-server): ${error}`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
}

/** Starts redis-server without persistence; a port taken in the meantime gets another try. */
async function end(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = once(child, 'exit');
  process.kill(child.pid, signal);
  await exited;
}

export async function startRedis(options: TestRedisOptions = {}): Promise<TestRedis> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      let child = await launch(port, options);
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        freeze: () => child.kill('SIGSTOP'),
        thaw: () => child.kill('SIGCONT'),
        stop: () => {
          child.kill('SIGCONT');
          return end(child, 'SIGTERM');
        },
        kill: () => end(child, 'SIGKILL'),
        async restart() {
          await end(child, 'SIGKILL');
          child = await launch(port, options);
        },
      };
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

/** One redis-server for the whole test file: started before its first test, stopped after its last. */
export function redisPerFile(): () => TestRedis {
  let redis: TestRedis | undefined;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  return () => {
    if (!redis) throw new Error('redis-server has not started');
    return redis;
  };
}
