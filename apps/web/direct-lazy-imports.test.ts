import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Rolldown } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ChunkImports,
  directLazyImports,
  needsNoPreload,
  nothingToPreload,
  PRELOAD_HELPER,
  preloadHelperSpan,
} from './direct-lazy-imports.ts';

const chunk = (fileName: string, imports: string[] = [], dynamicImports: string[] = []) => ({
  fileName,
  imports,
  dynamicImports,
  moduleIds: [`/src/${fileName.replace('.js', '.ts')}`],
});

describe('preloadHelperSpan', () => {
  it('finds the value the helper is declared with, and nothing else', () => {
    const helper = 'function preload(baseModule, deps) {\n\treturn baseModule();\n}';
    const code = `const seen = {};\nconst ${PRELOAD_HELPER} = ${helper};\nexport { seen };\n`;
    const span = preloadHelperSpan(code);

    expect(span && code.slice(span.start, span.end)).toBe(helper);
    expect(preloadHelperSpan(`const other = ${helper};`)).toBeNull();
    expect(preloadHelperSpan(`let ${PRELOAD_HELPER};`)).toBeNull();
  });
});

describe('needsNoPreload', () => {
  it('needs nothing for a chunk that imports only what its importer brought', () => {
    const chunks: Record<string, ChunkImports> = {
      'index.js': chunk('index.js', ['vendor.js'], ['lazy.js']),
      'vendor.js': chunk('vendor.js'),
      'lazy.js': chunk('lazy.js', ['index.js', 'vendor.js']),
    };
    expect(needsNoPreload('lazy.js', 'index.js', chunks)).toBe(true);
    expect(nothingToPreload(chunks)).toBe(true);
  });

  it('needs a preload for a chunk that imports one not yet loaded, or CSS', () => {
    const chunks: Record<string, ChunkImports> = {
      'index.js': chunk('index.js', [], ['a.js', 'b.js']),
      'a.js': chunk('a.js', ['shared.js']),
      'shared.js': chunk('shared.js'),
      'b.js': { ...chunk('b.js'), moduleIds: ['/src/b.ts', '/src/b.css?inline'] },
    };
    expect(needsNoPreload('a.js', 'index.js', chunks)).toBe(false);
    expect(needsNoPreload('b.js', 'index.js', chunks)).toBe(false);
    expect(needsNoPreload('missing.js', 'index.js', chunks)).toBe(false);
    expect(nothingToPreload(chunks)).toBe(false);
  });

  it('looks at every chunk: a lazy chunk that loads another shares the helper', () => {
    expect(
      nothingToPreload({
        'index.js': chunk('index.js', [], ['lazy.js']),
        'lazy.js': chunk('lazy.js', ['index.js'], ['deeper.js']),
        'deeper.js': chunk('deeper.js', ['other.js']),
        'other.js': chunk('other.js'),
      }),
    ).toBe(false);
  });
});

describe('directLazyImports, in a real build', () => {
  const roots: string[] = [];
  afterAll(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  /** Builds a page whose entry imports `lazy.js` on demand; the lazy module imports `shared.js`. */
  async function buildPage(lazyExtra = ''): Promise<Rolldown.OutputChunk[]> {
    const root = mkdtempSync(join(tmpdir(), 'direct-lazy-imports-'));
    roots.push(root);
    const files: Record<string, string> = {
      'index.html': '<script type="module" src="./main.js"></script>',
      'shared.js': "export const greet = (name) => 'hello ' + name;",
      'main.js': [
        "import { greet } from './shared.js';",
        'console.log(greet("page"));',
        "document.body.onclick = () => import('./lazy.js').then((lazy) => lazy.run());",
      ].join('\n'),
      'lazy.js': `${lazyExtra}import { greet } from './shared.js';\nexport const run = () => greet('lazy');`,
      'lazy.css': 'body { color: red; }',
    };
    for (const [file, text] of Object.entries(files)) writeFileSync(join(root, file), text);
    const output = await build({
      root,
      logLevel: 'silent',
      configFile: false,
      build: { write: false, modulePreload: { polyfill: false } },
      plugins: [directLazyImports()],
    });
    const [result] = Array.isArray(output) ? output : [output];
    if (!result || !('output' in result)) throw new Error('expected one build output');
    return result.output.filter((file): file is Rolldown.OutputChunk => file.type === 'chunk');
  }

  it('imports a lazy chunk directly, without the preload helper', async () => {
    const chunks = await buildPage();
    const entry = chunks.find((file) => file.isEntry);

    expect(chunks).toHaveLength(2);
    expect(entry?.code).toMatch(/import\(`\.\/lazy-[\w-]+\.js`\)/);
    expect(entry?.code).not.toContain('modulepreload');
    expect(entry?.code).not.toContain('preloadError');
  });

  it('leaves the helper to preload a lazy chunk that brings CSS', async () => {
    const chunks = await buildPage("import './lazy.css';\n");
    const entry = chunks.find((file) => file.isEntry);

    expect(entry?.code).toContain('preloadError');
  });
});
