import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { copyRepository } from '../test-support/repo-copy.ts';
import { type Finished, killRunning, runBounded } from '../test-support/run-bounded.ts';
import { renameScope } from './scope.ts';
import { type TextFile, trackedTextFiles, workTreeRoot } from './tracked-files.ts';
import { packageNames, workspaceScope } from './workspace-scope.ts';

const NEW_SCOPE = '@fork-check';
// Generous: the machine's cores are shared, and a cold typecheck of the tree takes a minute there.
const STEP_TIMEOUT_MS = 5 * 60_000;

let copy: string | undefined;
afterAll(async () => {
  killRunning();
  if (copy) await rm(copy, { recursive: true, force: true, maxRetries: 3 });
});

async function pnpm(...args: string[]): Promise<Finished> {
  return runBounded('pnpm', args, copy as string, STEP_TIMEOUT_MS);
}

/** Installs from the lockfile as CI does, from the local store when it has every package. */
async function frozenInstall(): Promise<void> {
  const offline = await pnpm('install', '--frozen-lockfile', '--offline');
  if (offline.code === 0) return;
  const online = await pnpm('install', '--frozen-lockfile', '--prefer-offline');
  expect(online.code, online.output).toBe(0);
}

function byPath(files: readonly TextFile[]): Map<string, string> {
  return new Map(files.map((file) => [file.path, file.text]));
}

it('renames a copy of the repository, which then installs, typechecks and passes its tests', async () => {
  const source = await workTreeRoot(fileURLToPath(new URL('.', import.meta.url)));
  const oldScope = workspaceScope(packageNames(await trackedTextFiles(source)));
  copy = await copyRepository(source);
  // As a fork starts: clone, install, rename.
  await frozenInstall();
  const before = byPath(await trackedTextFiles(copy));

  const renamed = await pnpm('rename-scope', NEW_SCOPE);

  expect(renamed.code, renamed.output).toBe(0);
  const afterFiles = await trackedTextFiles(copy);
  const after = byPath(afterFiles);
  expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  const stillOld = afterFiles.filter((file) => file.text.includes(`${oldScope}/`));
  expect(stillOld.map((file) => file.path)).toEqual([]);
  const changed = [...after.keys()].filter((path) => after.get(path) !== before.get(path));
  expect(changed).toEqual(expect.arrayContaining(['pnpm-lock.yaml', 'package.json']));
  // Nothing but the scope moved: mapping it back gives every file exactly as it was.
  for (const path of changed) {
    expect(renameScope(after.get(path) as string, NEW_SCOPE, oldScope), path).toBe(
      before.get(path),
    );
  }
  const names = packageNames(afterFiles).filter((name) => name.startsWith('@'));
  expect(names.length).toBeGreaterThan(1);
  for (const name of names) expect(name.startsWith(`${NEW_SCOPE}/`), name).toBe(true);

  const again = await pnpm('rename-scope', NEW_SCOPE);
  expect(again.code, again.output).toBe(2);
  expect(again.output).toContain(`already ${NEW_SCOPE}; nothing changed`);
  expect(byPath(await trackedTextFiles(copy))).toEqual(after);

  // The lockfile was renamed with the rest: a frozen install accepts it.
  await frozenInstall();
  const typecheck = await pnpm('typecheck');
  expect(typecheck.code, typecheck.output).toBe(0);
  // The protocol's own tests, and the bench's, which import it under its new name at run time.
  // What is checked here is the rename, not speed: a property test may take long on busy cores.
  const tests = await pnpm(
    '--filter',
    `${NEW_SCOPE}/protocol`,
    '--filter',
    `${NEW_SCOPE}/bench`,
    'test',
    '--testTimeout=60000',
  );
  expect(tests.code, tests.output).toBe(0);
  expect(tests.output).toMatch(/packages\/protocol test: .*passed/);
  expect(tests.output).toMatch(/bench test: .*passed/);
});
