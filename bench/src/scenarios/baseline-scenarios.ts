/*
 * The scenarios. Each runs against a fresh server process of either kind with the same env, and
 * turns what the load generator and /proc report into named figures.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadJob, LoadResult } from '../load/load-job.ts';
import { realisticPrompt } from '../load/workload.ts';
import { cpuMicros, peakRssKib, rssKib } from '../measure/proc-stats.ts';
import { type RunningServer, runLoad, type TargetName } from '../measure/processes.ts';
import type { Metric } from '../measure/report.ts';

export interface ScenarioSettings {
  firehoseStreams: number;
  firehoseTokens: number;
  idleStreams: number;
  ttftStreams: number;
  /** Sent as the request's `resumable` when set; unset measures the server's default. */
  resumable?: boolean;
}

/** One of the two processes a scenario compares in each run. */
export interface Side {
  label: string;
  target: TargetName;
  /** On top of the scenario's `env`. */
  env: Record<string, string>;
}

export interface Scenario {
  name: string;
  title: string;
  env: Record<string, string>;
  metrics: Metric[];
  /** What is compared; by default the raw baseline (`raw`) with the project's server (`server`). */
  sides?: { raw: Side; server: Side };
  run(server: RunningServer): Promise<Record<string, number>>;
}

/** A load job with the defaults most scenarios share: all streams at once, varied prompts. */
function job(
  server: RunningServer,
  settings: ScenarioSettings,
  fields: Pick<LoadJob, 'streams' | 'model' | 'prompt'> & Partial<LoadJob>,
): LoadJob {
  const full: LoadJob = {
    host: '127.0.0.1',
    port: server.port,
    streams: fields.streams,
    model: fields.model,
    prompt: fields.prompt,
    concurrency: fields.streams,
    varyPrompt: true,
    recordGaps: false,
    deadlineMs: 120_000,
  };
  Object.assign(full, fields);
  if (settings.resumable !== undefined) full.resumable = settings.resumable;
  return full;
}

/** A scenario's figures are meaningless when a stream failed: say so loudly. */
function completed(result: LoadResult): number {
  if (result.failed > 0) {
    console.warn(
      `  ${result.failed} of ${result.streams} streams failed: ${result.failures.join('; ')}`,
    );
  }
  return result.completed / result.streams;
}

const COMPLETED: Metric = {
  key: 'completed',
  label: 'streams completed and exact (share)',
  better: 'higher',
};

export function firehose(settings: ScenarioSettings): Scenario {
  const prompt = realisticPrompt(settings.firehoseTokens);
  const load = (server: RunningServer, streams: number) =>
    runLoad(
      job(server, settings, {
        streams,
        model: 'echo',
        prompt,
        varyPrompt: false,
      }),
    );
  return {
    name: 'firehose',
    title: `firehose ${settings.firehoseStreams}×${settings.firehoseTokens}`,
    env: { MOCK_DELAY_MS: '0' },
    metrics: [
      COMPLETED,
      { key: 'eventsPerSecond', label: 'events/s', better: 'higher' },
      { key: 'cpuMicrosPerEvent', label: 'server CPU µs/event', better: 'lower' },
    ],
    async run(server) {
      await load(server, Math.max(1, settings.firehoseStreams >> 2));
      const cpuBefore = cpuMicros(server.pid);
      const result = await load(server, settings.firehoseStreams);
      const cpu = cpuMicros(server.pid) - cpuBefore;
      return {
        completed: completed(result),
        eventsPerSecond: (result.events * 1000) / result.elapsedMs,
        cpuMicrosPerEvent: cpu / result.events,
      };
    },
  };
}

export function slowStreams(settings: ScenarioSettings, streams: number, tokens: number): Scenario {
  const load = (server: RunningServer, count: number, length: number, recordGaps: boolean) =>
    runLoad(
      job(server, settings, {
        streams: count,
        model: 'mock',
        prompt: 'How do I stream tokens to a browser?',
        maxTokens: length,
        recordGaps,
        // Connecting 5,000 streams takes longer than a 50-token one lasts (2.5 s): without this
        // they never all overlap, and the scenario would measure far fewer at once.
        startTogether: true,
      }),
    );
  return {
    name: `slow-${streams}x${tokens}`,
    title: `slow ${streams}×${tokens} at 50 ms`,
    env: { MOCK_DELAY_MS: '50' },
    metrics: [
      COMPLETED,
      { key: 'peakOpen', label: 'streams open at once, peak', better: 'higher' },
      { key: 'allStartedMs', label: 'all started, after (ms)', better: 'lower' },
      { key: 'gapP50Ms', label: 'inter-event gap median, all streaming (ms)', better: 'lower' },
      { key: 'gapP99Ms', label: 'inter-event gap p99, all streaming (ms)', better: 'lower' },
      { key: 'wholeRunGapP99Ms', label: 'inter-event gap p99, whole run (ms)', better: 'lower' },
      { key: 'serverCpuShare', label: 'server CPU busy (share of a core)', better: 'lower' },
      { key: 'loadCpuShare', label: 'load generator CPU busy (share)', better: 'lower' },
      { key: 'peakRssMiB', label: 'server peak RSS (MiB)', better: 'lower' },
    ],
    async run(server) {
      await load(server, 50, 5, false);
      const cpuBefore = cpuMicros(server.pid);
      const result = await load(server, streams, tokens, true);
      const cpu = cpuMicros(server.pid) - cpuBefore;
      return {
        completed: completed(result),
        peakOpen: result.peakOpen,
        allStartedMs: result.allStartedMs ?? Number.NaN,
        gapP50Ms: result.gapMs?.median ?? Number.NaN,
        gapP99Ms: result.gapMs?.p99 ?? Number.NaN,
        wholeRunGapP99Ms: result.wholeRunGapMs?.p99 ?? Number.NaN,
        serverCpuShare: cpu / 1000 / result.elapsedMs,
        loadCpuShare: result.loadCpuShare ?? Number.NaN,
        peakRssMiB: peakRssKib(server.pid) / 1024,
      };
    },
  };
}

export function idleMemory(settings: ScenarioSettings): Scenario {
  const half = Math.max(1, settings.idleStreams >> 1);
  return {
    name: 'idle',
    title: `idle ${half * 2} open`,
    // The longest pause the server accepts: every stream sits before its first token.
    env: { MOCK_DELAY_MS: '60000' },
    metrics: [{ key: 'kibPerStream', label: 'server RSS per idle stream (KiB)', better: 'lower' }],
    async run(server) {
      const samples: number[] = [];
      const result = await runLoad(
        job(server, settings, {
          streams: half * 2,
          model: 'mock',
          prompt: 'Idle',
          holdSteps: [half, half],
          deadlineMs: 60_000,
        }),
        async () => {
          // Let the last writes and allocations settle before reading.
          await sleep(500);
          samples.push(rssKib(server.pid));
        },
      );
      completed(result);
      // The first half warms the process up; the second half shows what one more stream costs.
      const [warm = 0, full = 0] = samples;
      return { kibPerStream: (full - warm) / half };
    },
  };
}

export function timeToFirstToken(settings: ScenarioSettings): Scenario {
  const load = (server: RunningServer, streams: number) =>
    runLoad(
      job(server, settings, {
        streams,
        concurrency: 1,
        model: 'mock',
        prompt: 'What is the time to first token?',
        maxTokens: 20,
        deadlineMs: 60_000,
      }),
    );
  return {
    name: 'ttft',
    title: `first token, ${settings.ttftStreams} in a row`,
    env: { MOCK_DELAY_MS: '0' },
    metrics: [
      COMPLETED,
      { key: 'ttftMedianMs', label: 'time to first token median (ms)', better: 'lower' },
      { key: 'ttftP99Ms', label: 'time to first token p99 (ms)', better: 'lower' },
    ],
    async run(server) {
      await load(server, 50);
      const result = await load(server, settings.ttftStreams);
      return {
        completed: completed(result),
        ttftMedianMs: result.firstDeltaMs.median,
        ttftP99Ms: result.firstDeltaMs.p99,
      };
    },
  };
}
