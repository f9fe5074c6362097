import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from '@playwright/test';

/** Debian's package; Playwright 1.64 drives its Chromium major (156). */
const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/**
 * The Chromium to drive: `PLAYWRIGHT_CHROMIUM_EXECUTABLE`, else the system's, else undefined for
 * Playwright's own download.
 */
export function chromiumExecutable(): string | undefined {
  const fromEnv = process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE?.trim();
  if (fromEnv) {
    if (!existsSync(fromEnv)) {
      throw new Error(`PLAYWRIGHT_CHROMIUM_EXECUTABLE is ${fromEnv}, which does not exist.`);
    }
    return fromEnv;
  }
  return existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined;
}

/** Where neither a system Chromium nor Playwright's is installed, downloads Playwright's. */
export function ensureChromium(): void {
  if (chromiumExecutable() || existsSync(chromium.executablePath())) return;
  const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
  // Only root can install the shared libraries Chromium needs; others get the browser alone.
  const withDeps = process.platform === 'linux' && process.getuid?.() === 0 ? ['--with-deps'] : [];
  console.log('No Chromium found: installing Playwright’s own.');
  execFileSync(process.execPath, [cli, 'install', ...withDeps, 'chromium'], { stdio: 'inherit' });
}
