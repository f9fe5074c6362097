/** Test support: this repository's files, as the next commit would hold them, in a new git repo. */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { git } from './fixture-repo.ts';

/**
 * Copies the tracked and untracked-but-not-ignored files of the work tree at `root` (so never
 * node_modules or dist) into a temp dir, and stages them there as a fresh repository's index.
 */
export async function copyRepository(root: string): Promise<string> {
  const listed = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const dir = await mkdtemp(join(tmpdir(), 'rename-scope-copy-'));
  for (const path of new Set(listed.split('\0').filter(Boolean))) {
    const source = join(root, path);
    const exists = await stat(source).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!exists) continue;
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await copyFile(source, join(dir, path));
  }
  git(dir, ['init', '-q']);
  git(dir, ['add', '-A']);
  return dir;
}
