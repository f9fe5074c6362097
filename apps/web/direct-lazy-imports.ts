import { type Plugin, parseAst } from 'vite';
import { loadedWith } from './chunk-graph.ts';

/** What Vite names the helper that it wraps every dynamic `import()` of a page in. */
export const PRELOAD_HELPER = '__vitePreload';

/** What the helper becomes: it loads the chunk, and has nothing to load beside it. */
const DIRECT_LOAD = '(load) => load()';

interface Span {
  start: number;
  end: number;
}

/** Where the helper's function is, in a chunk before minification: the value it is declared with. */
export function preloadHelperSpan(code: string): Span | null {
  for (const statement of parseAst(code).body) {
    if (statement.type !== 'VariableDeclaration') continue;
    for (const declarator of statement.declarations) {
      if (declarator.id.type === 'Identifier' && declarator.id.name === PRELOAD_HELPER) {
        return declarator.init ? { start: declarator.init.start, end: declarator.init.end } : null;
      }
    }
  }
  return null;
}

/** What the plugin reads of each chunk a build renders. */
export interface ChunkImports {
  readonly fileName: string;
  readonly imports: readonly string[];
  readonly dynamicImports: readonly string[];
  readonly moduleIds: readonly string[];
}

/** Styles Vite bundles from JavaScript imports: a chunk with any brings a stylesheet too. */
const STYLE_MODULE = /\.(css|less|sass|scss|styl|stylus|pcss|postcss|sss)($|\?)/;

type Chunks = Record<string, ChunkImports>;

/**
 * Whether a chunk that `importer` loads on demand needs nothing fetched beside it: no import
 * that is not in the page already, and no styles. (Which stylesheets a chunk brings is known
 * only once every chunk is rendered; the modules it was built from are known now.)
 */
export function needsNoPreload(file: string, importer: string, chunks: Chunks): boolean {
  const importsOf = (name: string) => chunks[name]?.imports;
  const loaded = loadedWith([importer], importsOf);
  const brought = [...loadedWith([file], importsOf)].filter((name) => !loaded.has(name));
  return (
    brought.length === 1 &&
    brought[0] === file &&
    !chunks[file]?.moduleIds.some((id) => STYLE_MODULE.test(id))
  );
}

/** Whether no dynamic import of the build needs a preload: the helper is shared by every chunk. */
export function nothingToPreload(chunks: Chunks): boolean {
  return Object.values(chunks).every((chunk) =>
    chunk.dynamicImports.every((file) => needsNoPreload(file, chunk.fileName, chunks)),
  );
}

/**
 * Vite wraps each dynamic `import()` in a helper that preloads the imported chunk's own imports
 * and CSS alongside it, and keeps the helper (0.6 KB of the page's gzipped script) even when
 * there is nothing to preload (vitejs/vite#13952). The page's lazy chunks (the Markdown
 * renderer, the highlighter, the copy actions) import nothing but the chunks already loaded
 * with their importer, so the helper becomes a plain call, and the minifier drops the rest.
 * Should a lazy chunk come to share code or CSS with another, the helper is left as Vite made it.
 */
export function directLazyImports(): Plugin {
  return {
    name: 'gpt-stream:direct-lazy-imports',
    apply: 'build',
    enforce: 'post',
    renderChunk(code, _chunk, _options, meta) {
      if (!code.includes(PRELOAD_HELPER) || !nothingToPreload(meta.chunks)) return null;
      const span = preloadHelperSpan(code);
      if (!span) return null;
      return code.slice(0, span.start) + DIRECT_LOAD + code.slice(span.end);
    },
  };
}
