import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureRepo, removeTempDirs, snapshot, tempTree } from '../test-support/fixture-repo.ts';
import { runBounded } from '../test-support/run-bounded.ts';
import { EXIT_FAILED, EXIT_REFUSED, HELP, renameScopeCommand } from './rename-scope-command.ts';

afterEach(removeTempDirs);

// Built from parts, as in scope.test.ts, so that renaming this repository leaves them alone.
const OLD = '@old-scope';
const pkg = (scope: string, name: string) => `${scope}/${name}`;
// Valid UTF-8 but for a NUL byte; and Latin-1, which is not UTF-8: neither is text to rewrite.
const WITH_NUL = Buffer.from(`PNG\0${pkg(OLD, 'x')}`);
const LATIN_1 = Buffer.from(`caf\u00e9 ${pkg(OLD, 'x')}`, 'latin1');

/** A workspace in scope OLD with one file of each kind the command must tell apart. */
function workspace() {
  return fixtureRepo(
    {
      'package.json': JSON.stringify({
        name: 'old-scope',
        scripts: { start: `pnpm --filter ${pkg(OLD, 'server')} start` },
      }),
      'packages/protocol/package.json': JSON.stringify({ name: pkg(OLD, 'protocol') }),
      'apps/server/package.json': JSON.stringify({
        name: pkg(OLD, 'server'),
        dependencies: { [pkg(OLD, 'protocol')]: 'workspace:*', [pkg('@types', 'node')]: '^20' },
      }),
      'apps/server/src/main.ts': `import { x } from '${pkg(OLD, 'protocol')}';\nconst KEY = 'old-scope:stream:';\n`,
      'apps/server/src/bom.ts': `\uFEFFexport * from '${pkg(OLD, 'protocol')}';\n`,
      'README.md': `# old-scope\n\nThe \`${pkg(OLD, 'protocol')}\` package.\n`,
      'logo.png': WITH_NUL,
      'latin-1.txt': LATIN_1,
      '.gitignore': 'node_modules/\n',
    },
    {
      'node_modules/.pnpm/lock.yaml': pkg(OLD, 'protocol'),
      'notes.md': pkg(OLD, 'protocol'),
    },
  );
}

async function run(argv: readonly string[], cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await renameScopeCommand(argv, cwd, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('rename-scope', () => {
  it('renames the scope in tracked text files only, and refuses a second run', async () => {
    const repo = await workspace();
    const before = await snapshot(repo);

    const first = await run(['new-scope'], join(repo, 'apps'));

    expect(first).toMatchObject({ code: 0, err: '' });
    expect(first.out).toContain(`${OLD} → @new-scope`);
    const after = await snapshot(repo);
    const changed = [...after.keys()].filter(
      (path) => !after.get(path)?.equals(before.get(path) as Buffer),
    );
    expect(changed.sort()).toEqual([
      'README.md',
      'apps/server/package.json',
      'apps/server/src/bom.ts',
      'apps/server/src/main.ts',
      'package.json',
      'packages/protocol/package.json',
    ]);
    expect(await readFile(join(repo, 'apps/server/src/main.ts'), 'utf8')).toBe(
      `import { x } from '${pkg('@new-scope', 'protocol')}';\nconst KEY = 'old-scope:stream:';\n`,
    );
    expect(await readFile(join(repo, 'apps/server/src/bom.ts'), 'utf8')).toBe(
      `\uFEFFexport * from '${pkg('@new-scope', 'protocol')}';\n`,
    );
    expect(JSON.parse(await readFile(join(repo, 'apps/server/package.json'), 'utf8'))).toEqual({
      name: pkg('@new-scope', 'server'),
      dependencies: {
        [pkg('@new-scope', 'protocol')]: 'workspace:*',
        [pkg('@types', 'node')]: '^20',
      },
    });
    expect(await readFile(join(repo, 'README.md'), 'utf8')).toBe(
      `# old-scope\n\nThe \`${pkg('@new-scope', 'protocol')}\` package.\n`,
    );

    const second = await run(['@new-scope'], repo);
    expect(second).toMatchObject({ code: EXIT_REFUSED, out: '' });
    expect(second.err).toBe(
      "rename-scope: the workspace's scope is already @new-scope; nothing changed",
    );
    expect(await snapshot(repo)).toEqual(after);
  });

  it.each([
    [['Acme'], /"Acme" has capital letters; npm scopes are lowercase; nothing changed/],
    [['@acme/protocol'], /not one scope/],
    [['ac me'], /not a valid npm scope/],
    [[OLD], new RegExp(`the workspace's scope is already ${OLD}`)],
    [['types'], /@types is already named in apps\/server\/package.json: our packages would mix/],
    [[], /give the new scope: pnpm rename-scope <new-scope>/],
    [['a', 'b'], /give one scope, not 2/],
    [['--force', 'acme'], /Unknown option '--force'/],
    [['x'.repeat(220)], /would be longer than npm's 214/],
  ])('refuses %j with exit code 2 and changes nothing', async (argv, message) => {
    const repo = await workspace();
    const before = await snapshot(repo);

    const result = await run(argv, repo);

    expect(result.code).toBe(EXIT_REFUSED);
    expect(result.out).toBe('');
    expect(result.err).toMatch(message);
    expect(await snapshot(repo)).toEqual(before);
  });

  it('fails outside a git work tree, changing nothing', async () => {
    const dir = await tempTree({ 'package.json': JSON.stringify({ name: pkg(OLD, 'x') }) });
    const before = await snapshot(dir);

    const result = await run(['acme'], dir);

    expect(result.code).toBe(EXIT_FAILED);
    expect(result.err).toMatch(/is not inside a git work tree/);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('fails when the packages do not share one scope', async () => {
    const repo = await fixtureRepo({
      'a/package.json': JSON.stringify({ name: pkg('@one', 'a') }),
      'b/package.json': JSON.stringify({ name: pkg('@two', 'b') }),
    });

    const result = await run(['acme'], repo);

    expect(result).toMatchObject({ code: EXIT_FAILED, out: '' });
    expect(result.err).toMatch(/several scopes \(@one, @two\)/);
  });

  it('prints its help, naming what it leaves for a fork to choose', async () => {
    const result = await run(['--help'], '/');

    expect(result).toEqual({ code: 0, out: HELP, err: '' });
    for (const kept of ['gpt-stream:active-stream', 'under gpt-stream:', 'gpt_stream_*']) {
      expect(HELP).toContain(kept);
    }
  });

  it('exits with code 2 as a process, saying why', async () => {
    const repo = await workspace();
    const entry = fileURLToPath(new URL('./rename-scope.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));

    const child = await runBounded(tsx, [entry, '@Acme'], repo, 30_000);

    expect(child.code, child.output).toBe(EXIT_REFUSED);
    expect(child.output).toMatch(/"@Acme" has capital letters/);
  });
});
