import type { ReplayedThrough } from './replayed.ts';

/** A request as the page hands it to the stream worker: only what a stream request carries. */
export interface WorkerRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** What the page tells the stream worker, one stream (one request) at a time. */
export type ToStreamWorker =
  | { stream: number; request: WorkerRequest; replayed: ReplayedThrough | null }
  | { stream: number; abort: true };

/** The response's status line and headers, as the worker's fetch got them. */
export interface WorkerResponseHead {
  status: number;
  statusText: string;
  headers: [string, string][];
}

/**
 * What it answers: that it runs; then per stream the response's head, its body's bytes
 * (condensed, for a successful response), and how the body ended: at its end, or failed with
 * the message of the error the worker's fetch or read threw.
 */
export type FromStreamWorker =
  | { ready: true }
  | { stream: number; head: WorkerResponseHead }
  | { stream: number; bytes: Uint8Array }
  | { stream: number; end: true }
  | { stream: number; failed: string };
