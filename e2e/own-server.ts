import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { repoPath } from './repo-path.ts';
import { E2E_SERVER_ENV } from './server-env.ts';

const SERVER_ENTRY = repoPath('apps/server/dist/main.js');
const LISTENING = /listening on (http:\/\/[\d.]+:\d+)/;

export interface OwnServer {
  url: string;
  process: ChildProcess;
  /** SIGKILL: the process gets no chance to end its streams, as in a crash or an OOM kill. */
  kill(): Promise<void>;
}

/**
 * The production server in a process of the test's own, on a free loopback port, for a test that
 * must kill it without taking the shared server down for the other specs.
 */
export async function startOwnServer(env: Record<string, string> = {}): Promise<OwnServer> {
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    // The start line, at info, says which free port the server took.
    env: {
      ...process.env,
      ...E2E_SERVER_ENV,
      LOG_LEVEL: 'info',
      ...env,
      PORT: '0',
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 15_000);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = LISTENING.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  return {
    url,
    process: child,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
