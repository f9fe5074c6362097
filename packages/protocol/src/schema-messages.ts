/**
 * zod/mini (which keeps the page small) loads no messages of its own: the ones every schema shares
 * are spelled out here, so that the page and the server say the same thing.
 */
export function unrecognizedKeys(keys: readonly string[]): string {
  const list = keys.map((key) => JSON.stringify(key)).join(', ');
  return `Unrecognized key${keys.length > 1 ? 's' : ''}: ${list}`;
}
