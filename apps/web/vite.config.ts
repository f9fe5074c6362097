import type { ProxyOptions } from 'vite';
import { defineConfig } from 'vitest/config';
import { bundleBudget } from './bundle-size.ts';
import { directLazyImports } from './direct-lazy-imports.ts';

/**
 * The API server's address in development: the same `PORT` the server reads, so that
 * `PORT=9000 pnpm dev` moves both ends together. API_PROXY_TARGET points elsewhere entirely.
 */
export function apiProxyTarget(env: NodeJS.ProcessEnv = process.env): string {
  return env.API_PROXY_TARGET || `http://127.0.0.1:${env.PORT || 8080}`;
}

/**
 * Streams must end at both ends together; vite.config.test.ts pins both directions.
 * - Browser leaves (Stop): Vite's proxy (http-proxy-3) already destroys the upstream request, so
 *   the API server sees the client go and stops the model.
 * - API server leaves mid-stream (a crash, or `tsx watch` restarting it): the proxy leaves the
 *   browser's response open forever, and the page would sit in "streaming" instead of reporting
 *   a cut stream. Break the browser's connection too.
 */
export const apiProxy: ProxyOptions = {
  target: apiProxyTarget(),
  configure(proxy) {
    proxy.on('proxyRes', (proxyRes, _req, res) => {
      proxyRes.on('close', () => {
        if (!proxyRes.complete) res.destroy();
      });
    });
  },
};

export default defineConfig({
  plugins: [directLazyImports(), bundleBudget()],
  // Without the modulepreload polyfill (about 0.3 KB of the page's first script, within its
  // budget): a browser that lacks `<link rel="modulepreload">` (Safari before 17) still loads
  // the lazy chunks, only without the head start.
  build: { modulePreload: { polyfill: false } },
  // `vite preview` reuses the dev server's proxy.
  server: { proxy: { '/api': apiProxy } },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'bench/**/*.test.ts', '*.test.ts'],
  },
});
