/** What the suite asks of the load generator, and what it reports back, over IPC as JSON. */
import type { BenchModel } from './workload.ts';

export interface LoadJob {
  host: string;
  port: number;
  /** Streams that are read to the end and measured. */
  streams: number;
  /** Streams open at once. */
  concurrency: number;
  model: BenchModel;
  prompt: string;
  /** Appends the stream's number to the prompt, so the mock model writes different answers. */
  varyPrompt: boolean;
  maxTokens?: number;
  resumable?: boolean;
  /**
   * Connects every stream first and sends the requests together once all are connected, so that
   * they are really all open at once instead of the first finishing while the last connect.
   */
  startTogether?: boolean;
  /** Records the time between consecutive deltas of every stream. */
  recordGaps: boolean;
  /**
   * Holds streams open instead of reading them to the end: opens them in steps of these sizes,
   * and after each step, once all have started, reports a checkpoint and waits for `continue`.
   */
  holdSteps?: number[];
  /** Everything is abandoned (and reported as failed) after this long. */
  deadlineMs: number;
}

export interface Summary {
  median: number;
  p99: number;
  max: number;
}

export interface LoadResult {
  streams: number;
  completed: number;
  failed: number;
  /** The first few reasons, to say what went wrong. */
  failures: string[];
  /** All events read from the measured streams, `start` and `done` included. */
  events: number;
  /** From the first measured request to the last stream's end. */
  elapsedMs: number;
  /** The most streams that had started and not yet ended at one time. */
  peakOpen: number;
  firstDeltaMs: Summary;
  /**
   * Between deltas. With startTogether, only while all streams stream: once 99% have had their
   * first delta, until 1% have ended.
   */
  gapMs?: Summary;
  /** Between deltas; with startTogether, every gap once 99% of the streams have started. */
  wholeRunGapMs?: Summary;
  /** With startTogether: from sending the requests until 99% of the streams have started. */
  allStartedMs?: number;
  /** The load generator's own CPU time over the elapsed time: near 1, it is the bottleneck. */
  loadCpuShare?: number;
}

export type LoadMessage =
  | { type: 'checkpoint'; started: number }
  | { type: 'result'; result: LoadResult };

export type SuiteMessage = { type: 'continue' };
