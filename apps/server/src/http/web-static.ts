import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express } from 'express';

/**
 * Serves the built page from the same origin as the API, so production needs one process and no
 * CORS. Vite puts content-hashed files under assets/, which never change and can be cached forever.
 */
export function serveWeb(app: Express, webDir: string): void {
  if (!hasBuiltPage(webDir)) return;
  app.use(
    express.static(webDir, {
      index: 'index.html',
      setHeaders(res, path) {
        if (path.startsWith(join(webDir, 'assets'))) {
          res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
        }
      },
    }),
  );
}

export function hasBuiltPage(webDir: string): boolean {
  return existsSync(join(webDir, 'index.html'));
}
