import { ensureChromium } from './browser.ts';

export default function globalSetup(): void {
  ensureChromium();
}
