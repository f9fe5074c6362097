/** An npm scope (`@acme`): validating one, and renaming it in text. */

/** Thrown for a scope npm would not accept; the message says why. */
export class InvalidScopeError extends Error {
  override name = 'InvalidScopeError';
}

// npm scopes are lowercase and URL-safe; a leading '.', '_' or '-' is refused as in package
// names (and '-' would read as an option on the command line).
const SCOPE_BODY = /^[a-z0-9][a-z0-9._-]*$/;

/** The scope `input` names, with or without its leading '@', as `@name`. */
export function parseScope(input: string): string {
  const body = input.startsWith('@') ? input.slice(1) : input;
  const shown = JSON.stringify(input);
  if (body === '') throw new InvalidScopeError('the scope is empty: give a name such as acme');
  if (body !== body.toLowerCase()) {
    throw new InvalidScopeError(`${shown} has capital letters; npm scopes are lowercase`);
  }
  if (body.includes('/')) {
    throw new InvalidScopeError(`${shown} is not one scope: give the scope alone, such as @acme`);
  }
  if (!SCOPE_BODY.test(body)) {
    throw new InvalidScopeError(
      `${shown} is not a valid npm scope: use lowercase letters, digits, '-', '.' and '_', starting with a letter or digit`,
    );
  }
  return `@${body}`;
}

/**
 * Where `scope/` starts a package name: not inside a longer word such as `x@scope/`. The slash
 * is what makes it a package name, so `@scope` in prose and `@scoped/x` are left alone.
 */
function scopePattern(scope: string): RegExp {
  const escaped = scope.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![A-Za-z0-9_.-])${escaped}/`, 'g');
}

/** `text` with every package name in scope `from` moved to scope `to`. */
export function renameScope(text: string, from: string, to: string): string {
  return text.replace(scopePattern(from), () => `${to}/`);
}

/** Whether `text` names any package in `scope`. */
export function mentionsScope(text: string, scope: string): boolean {
  return scopePattern(scope).test(text);
}
