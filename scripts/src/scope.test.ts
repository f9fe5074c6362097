import { describe, expect, it } from 'vitest';
import { InvalidScopeError, mentionsScope, parseScope, renameScope } from './scope.ts';

// Package names are built from parts so that no scope a fork may pick is written here whole:
// renaming the repository then leaves these fixtures as they are, and never refuses because of them.
const OURS = '@gpt-stream';
const NEW = '@acme';
const pkg = (scope: string, name: string) => `${scope}/${name}`;

describe('renameScope', () => {
  it('renames package names in the scope wherever they stand', () => {
    // Each place the tree names its packages: code, manifests, pnpm filters, lockfile, docs, paths.
    const uses = (scope: string) =>
      [
        `import { API_PATHS } from '${pkg(scope, 'protocol')}';`,
        `"name": "${pkg(scope, 'server')}",`,
        `"${pkg(scope, 'protocol')}": "workspace:*",`,
        `pnpm --filter ${pkg(scope, 'web')} bench && pnpm --filter "${pkg(scope, '*')}" test`,
        `args.path.startsWith('${scope}/')`,
        `  '${pkg(scope, 'protocol')}':`,
        `packages/protocol (${pkg(scope, 'protocol')}) · \`${pkg(scope, 'e2e/browser')}\``,
        `node_modules/${pkg(scope, 'protocol')}/src/index.ts`,
      ].join('\n');

    expect(renameScope(uses(OURS), OURS, NEW)).toBe(uses(NEW));
    expect(uses(NEW)).not.toContain(OURS);
  });

  it('leaves the display name, other scopes and keys that merely share the name', () => {
    const text = [
      '# gpt-stream',
      'Stream LLM output: gpt-stream, or `gpt-stream` in code.',
      `"name": "gpt-stream",`,
      `${pkg('@gpt-streamer', 'x')} and ${pkg('@my-gpt-stream', 'y')} and ${pkg('@gpt-stream.io', 'z')}`,
      `user${pkg(OURS, 'x')} and a-${pkg(OURS, 'y')}`,
      'the @gpt-stream scope',
      "const KEY_PREFIX = 'gpt-stream:stream:'; localStorage 'gpt-stream:active-stream'",
      'gpt_stream_tokens_sent_total',
      `${pkg('@types', 'node')} ${pkg('@microsoft', 'fetch-event-source')}`,
    ].join('\n');

    expect(renameScope(text, OURS, NEW)).toBe(text);
  });

  it('renames into a scope with regex-special characters, and back', () => {
    const text = `from '${pkg(OURS, 'protocol')}'; from '${pkg('@a-b', 'protocol')}'`;
    const there = renameScope(text, OURS, '@a.b');
    expect(there).toBe(`from '${pkg('@a.b', 'protocol')}'; from '${pkg('@a-b', 'protocol')}'`);
    expect(renameScope(pkg('@axb', 'protocol'), '@a.b', '@c')).toBe(pkg('@axb', 'protocol'));
    expect(renameScope(there, '@a.b', OURS)).toBe(text);
  });
});

describe('mentionsScope', () => {
  it('sees package names in the scope, not the bare name or longer scopes', () => {
    expect(mentionsScope(`"${pkg('@types', 'node')}": "catalog:"`, '@types')).toBe(true);
    expect(mentionsScope(`@types alone, ${pkg('@typescript', 'x')}, types/node`, '@types')).toBe(
      false,
    );
  });
});

describe('parseScope', () => {
  it('accepts npm scopes with or without the @', () => {
    expect(parseScope('acme')).toBe('@acme');
    expect(parseScope('@acme')).toBe('@acme');
    expect(parseScope('my-org.io_2')).toBe('@my-org.io_2');
    expect(parseScope('0x')).toBe('@0x');
  });

  it.each([
    ['', /empty/],
    ['@', /empty/],
    ['Acme', /lowercase/],
    ['@ACME', /lowercase/],
    [`${NEW}/`, /one scope/],
    [pkg(NEW, 'protocol'), /one scope/],
    ['@@acme', /not a valid npm scope/],
    ['-acme', /not a valid npm scope/],
    ['.acme', /not a valid npm scope/],
    ['_acme', /not a valid npm scope/],
    ['ac me', /not a valid npm scope/],
    ['acme!', /not a valid npm scope/],
    ['ac~me', /not a valid npm scope/],
    ['äcme', /not a valid npm scope/],
    ['ac%2fme', /not a valid npm scope/],
  ])('refuses %j, saying why', (input, reason) => {
    expect(() => parseScope(input)).toThrow(InvalidScopeError);
    expect(() => parseScope(input)).toThrow(reason);
  });
});
