import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A path inside the repository. Found from the workspace root rather than from this file, so that
 * it holds where this module is bundled into another package's build (the bench's).
 */
export function repoPath(relative: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('not inside the gpt-stream workspace');
    dir = parent;
  }
  return join(dir, relative);
}
