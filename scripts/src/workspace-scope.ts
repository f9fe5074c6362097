/** The one npm scope the workspace's own packages share, read from their package.json names. */
import type { TextFile } from './tracked-files.ts';

const MANIFEST = /(^|\/)package\.json$/;

/** The names of the tracked package.json files that have one. */
export function packageNames(files: readonly TextFile[]): string[] {
  const names: string[] = [];
  for (const file of files) {
    if (!MANIFEST.test(file.path)) continue;
    let manifest: unknown;
    try {
      manifest = JSON.parse(file.text);
    } catch {
      throw new Error(`${file.path} is not valid JSON`);
    }
    const name = (manifest as { name?: unknown } | null)?.name;
    if (typeof name === 'string') names.push(name);
  }
  return names;
}

/** The scope of the scoped package names (`@gpt-stream/protocol` → `@gpt-stream`). */
export function workspaceScope(names: readonly string[]): string {
  const scopes = new Set<string>();
  for (const name of names) {
    const scope = /^(@[^/]+)\//.exec(name)?.[1];
    if (scope) scopes.add(scope);
  }
  if (scopes.size === 1) return [...scopes][0] as string;
  if (scopes.size === 0) throw new Error('no tracked package.json has a scoped name');
  throw new Error(
    `the workspace's packages use several scopes (${[...scopes].sort().join(', ')}); rename-scope renames one`,
  );
}
