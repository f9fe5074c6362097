/** What a build says of each chunk it imports statically, by file name. */
export type StaticImports = (file: string) => readonly string[] | undefined;

/**
 * The chunks that are in the page whenever `roots` are: the roots and whatever they import
 * statically, however deep. A chunk reached only through `import()` is not among them.
 */
export function loadedWith(roots: Iterable<string>, importsOf: StaticImports): Set<string> {
  const loaded = new Set<string>();
  const visit = (file: string): void => {
    if (loaded.has(file)) return;
    const imports = importsOf(file);
    if (!imports) return;
    loaded.add(file);
    for (const imported of imports) visit(imported);
  };
  for (const root of roots) visit(root);
  return loaded;
}
