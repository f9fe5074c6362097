/** Test support: a command as a child process, killed with everything it started if it overruns. */
import { spawn } from 'node:child_process';

export interface Finished {
  code: number | null;
  output: string;
}

// The caller's pnpm and Vitest describe themselves in the environment; a child pnpm in another
// workspace must read only its own configuration.
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|VITEST|NODE_ENV$|NODE_OPTIONS$|INIT_CWD$)/i.test(name)) continue;
    env[name] = value;
  }
  delete env.FORCE_COLOR;
  return { ...env, CI: 'true', NO_COLOR: '1' };
}

const running = new Set<number>();

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Kills, by process group, every command started here that is still running. */
export function killRunning(): void {
  for (const pid of running) killGroup(pid);
  running.clear();
}

/** Runs `command` in `cwd`; after `timeoutMs` kills its process group and resolves with code null. */
export function runBounded(
  command: string,
  args: readonly string[],
  cwd: string,
  timeoutMs: number,
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: cleanEnv(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid !== undefined) running.add(child.pid);
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk;
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      output += `\n[killed after ${timeoutMs} ms]`;
      if (child.pid !== undefined) killGroup(child.pid);
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (child.pid !== undefined) running.delete(child.pid);
      resolve({ code, output });
    });
  });
}
