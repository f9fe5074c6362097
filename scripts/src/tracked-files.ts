/** The git-tracked text files of a work tree, as they are on disk. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TextFile {
  /** Relative to the work tree's top, with '/' separators, as git prints it. */
  path: string;
  text: string;
}

/** The top of the git work tree that `cwd` is in. */
export async function workTreeRoot(cwd: string): Promise<string> {
  try {
    const { stdout } = await run('git', ['rev-parse', '--show-toplevel'], { cwd });
    return stdout.trim();
  } catch {
    throw new Error(`${cwd} is not inside a git work tree: only git-tracked files are renamed`);
  }
}

const REGULAR_FILE = /^100(644|755)$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Its text, or undefined for a file that is binary (a NUL byte, or not UTF-8). */
function asText(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Every tracked regular file that is text. Symlinks, submodules, binaries and tracked files
 * deleted from the work tree are left out; untracked and ignored files (node_modules, dist) are
 * never listed.
 */
export async function trackedTextFiles(root: string): Promise<TextFile[]> {
  const { stdout } = await run('git', ['ls-files', '--stage', '-z'], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  });
  const paths = new Set<string>();
  for (const entry of stdout.split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const mode = entry.slice(0, entry.indexOf(' '));
    if (REGULAR_FILE.test(mode)) paths.add(entry.slice(tab + 1));
  }
  const files: TextFile[] = [];
  for (const path of paths) {
    const bytes = await readFile(join(root, path)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    const text = bytes && asText(bytes);
    if (text !== undefined) files.push({ path, text });
  }
  return files;
}
