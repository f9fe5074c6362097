/** `pnpm rename-scope <new-scope>`: moves the workspace's packages to another npm scope. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidScopeError, mentionsScope, parseScope, renameScope } from './scope.ts';
import { trackedTextFiles, workTreeRoot } from './tracked-files.ts';
import { packageNames, workspaceScope } from './workspace-scope.ts';

export const EXIT_FAILED = 1;
/** Bad input: nothing was changed. */
export const EXIT_REFUSED = 2;

// npm's limit on a package name, scope included.
const MAX_NAME_LENGTH = 214;

export const HELP = `Usage: pnpm rename-scope <new-scope>

Moves the workspace's packages from their npm scope to <new-scope>, in every git-tracked text
file: package names and dependencies, imports, configs, pnpm filters in scripts, pnpm-lock.yaml,
docs, .github and .ci. <new-scope> is an npm scope, with or without its '@': lowercase letters,
digits, '-', '.' and '_', starting with a letter or digit. It must differ from the current scope
and from every scope the tree already names (such as @types).

Only "@<scope>/" followed by a package name is renamed. Left as they are, for a fork to choose:
  - the display name gpt-stream: prose, the page's title and heading, the favicon, log lines
  - the root package's name, gpt-stream (unscoped, never published)
  - the page's localStorage key gpt-stream:active-stream (a new key forgets the saved stream of
    every open tab)
  - the Redis keys and channel under gpt-stream: (stream:<id>, stop, instance:<id>, rate:*);
    every instance sharing a Redis must use the same ones
  - the Prometheus metrics gpt_stream_* (dashboards and alerts name them)
Untracked and ignored files (node_modules, dist) are never touched.

Then: pnpm install && pnpm typecheck && pnpm test

Exit codes: 0 renamed; 2 refused (invalid scope, the current one, or one the tree already
names), nothing changed; 1 any other failure.
`;

export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

class RefusedError extends Error {}

/** Runs the command on the git work tree `cwd` is in; resolves to the exit code. */
export async function renameScopeCommand(
  argv: readonly string[],
  cwd: string,
  output: Output,
): Promise<number> {
  try {
    const wanted = parseCommandLine(argv);
    if (wanted === undefined) {
      output.out(HELP);
      return 0;
    }
    const changed = await renameWorkTree(cwd, wanted, output);
    output.out(`Renamed in ${changed} files. Then: pnpm install && pnpm typecheck && pnpm test`);
    return 0;
  } catch (error) {
    const refused = error instanceof RefusedError || error instanceof InvalidScopeError;
    output.err(`rename-scope: ${(error as Error).message}${refused ? '; nothing changed' : ''}`);
    return refused ? EXIT_REFUSED : EXIT_FAILED;
  }
}

/** The scope asked for, or undefined when help was. */
function parseCommandLine(argv: readonly string[]): string | undefined {
  const { values, positionals } = parseOptions(argv);
  if (values.help) return undefined;
  const [scope, ...extra] = positionals;
  if (scope === undefined)
    throw new RefusedError('give the new scope: pnpm rename-scope <new-scope>');
  if (extra.length > 0) throw new RefusedError(`give one scope, not ${positionals.length}`);
  return parseScope(scope);
}

function parseOptions(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: { help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
  } catch (error) {
    throw new RefusedError(`${(error as Error).message} (see --help)`);
  }
}

/** Renames every mention of the current scope; resolves to the number of files rewritten. */
async function renameWorkTree(cwd: string, to: string, output: Output): Promise<number> {
  const root = await workTreeRoot(cwd);
  const files = await trackedTextFiles(root);
  const names = packageNames(files);
  const from = workspaceScope(names);
  if (to === from) throw new RefusedError(`the workspace's scope is already ${to}`);
  const clashing = files.filter((file) => mentionsScope(file.text, to)).map((file) => file.path);
  if (clashing.length > 0) {
    throw new RefusedError(
      `${to} is already named in ${listed(clashing)}: our packages would mix with that scope's`,
    );
  }
  const tooLong = names
    .map((name) => renameScope(name, from, to))
    .filter((name) => name.length > MAX_NAME_LENGTH);
  if (tooLong.length > 0) {
    throw new RefusedError(`${listed(tooLong)} would be longer than npm's ${MAX_NAME_LENGTH}`);
  }

  // Every new text is known before the first write, so a refusal above leaves no half-rename.
  const renamed = files
    .map((file) => ({
      path: file.path,
      before: file.text,
      after: renameScope(file.text, from, to),
    }))
    .filter((file) => file.after !== file.before);
  output.out(`${from} → ${to}`);
  for (const file of renamed) {
    await writeFile(join(root, file.path), file.after);
    output.out(`  ${file.path}`);
  }
  return renamed.length;
}

function listed(items: readonly string[]): string {
  const shown = items.slice(0, 5).join(', ');
  return items.length > 5 ? `${shown} and ${items.length - 5} more` : shown;
}
