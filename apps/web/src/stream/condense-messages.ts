import type { ReplayedThrough } from './replayed.ts';

/** What the page tells the condensing worker, one stream (a response body) at a time. */
export type ToCondenser =
  | { stream: number; open: ReplayedThrough | null }
  | { stream: number; bytes: Uint8Array }
  | { stream: number; close: true };

/** What it answers: that it runs, a stream's condensed bytes, and that a stream is closed. */
export type FromCondenser =
  | { ready: true }
  | { stream: number; bytes: Uint8Array }
  | { stream: number; closed: true };
