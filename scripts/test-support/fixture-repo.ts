/** Test support: small git repositories in temp dirs, and snapshots of everything in them. */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

const created: string[] = [];

/** `git` in `cwd`, with an identity and defaults of its own so the machine's config cannot matter. */
export function git(cwd: string, args: readonly string[]): string {
  return execFileSync(
    'git',
    [
      '-c',
      'init.defaultBranch=main',
      '-c',
      'user.name=test',
      '-c',
      'user.email=test@localhost',
      ...args,
    ],
    { cwd, encoding: 'utf8' },
  );
}

/** A temp dir holding `files`, not yet a git repository. */
export async function tempTree(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rename-scope-'));
  created.push(dir);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

/** A git repository in a temp dir whose index holds `tracked`; `untracked` files sit beside them. */
export async function fixtureRepo(
  tracked: Record<string, string | Uint8Array>,
  untracked: Record<string, string> = {},
): Promise<string> {
  const dir = await tempTree(tracked);
  git(dir, ['init', '-q']);
  git(dir, ['add', '-A']);
  for (const [path, content] of Object.entries(untracked)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

/** Every file under `dir` but `.git`, by relative path. */
export async function snapshot(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const rel = relative(dir, path);
    if (!entry.isFile() || rel === '.git' || rel.startsWith(`.git/`)) continue;
    files.set(rel, await readFile(path));
  }
  return files;
}

/** Removes every temp dir this test file made. */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(
    created.splice(0).map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 3 })),
  );
}
