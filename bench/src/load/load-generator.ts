/*
 * The load generator: a process of its own (pinned to its own core by the suite), so that the
 * server's CPU time and memory are the server's alone. It gets a job over IPC, runs it against a
 * server on loopback, verifies every stream, and sends back one result.
 */
import { setMaxListeners } from 'node:events';
import { median, percentile } from '../measure/stats.ts';
import { acceptQueueDrained } from './accept-queue.ts';
import type { LoadJob, LoadMessage, LoadResult, SuiteMessage, Summary } from './load-job.ts';
import {
  runStream,
  type StreamHooks,
  type StreamOutcome,
  type StreamTarget,
} from './sse-client.ts';
import { answerFor, type StreamRequest } from './workload.ts';

/** Connections being opened at once: below the listen backlog (511 in Node), so no SYN is dropped. */
const MAX_CONNECTING = 400;

function send(message: LoadMessage): Promise<void> {
  return new Promise((resolve, reject) =>
    process.send?.(message, undefined, {}, (error) => (error ? reject(error) : resolve())),
  );
}

function nextMessage(): Promise<SuiteMessage> {
  return new Promise((resolve) =>
    process.once('message', (message) => resolve(message as SuiteMessage)),
  );
}

function summarize(samples: number[]): Summary {
  return { median: median(samples), p99: percentile(samples, 99), max: percentile(samples, 100) };
}

function requestFor(job: LoadJob, index: number): StreamRequest {
  const request: StreamRequest = {
    prompt: job.varyPrompt ? `${job.prompt} ${index}` : job.prompt,
    model: job.model,
  };
  if (job.maxTokens !== undefined) request.maxTokens = job.maxTokens;
  if (job.resumable !== undefined) request.resumable = job.resumable;
  return request;
}

/** Gaps between deltas: over the whole run, and while (nearly) every stream was streaming. */
interface Gaps {
  wholeRun: number[];
  allStreaming: number[];
}

/** Runs `count` streams, at most `concurrency` open and `MAX_CONNECTING` still connecting. */
async function runMany(
  job: LoadJob,
  target: StreamTarget,
  count: number,
  signal: AbortSignal,
  gaps: Gaps | undefined,
  peak: { open: number; allStartedMs?: number },
): Promise<StreamOutcome[]> {
  const requests = Array.from({ length: count }, (_, index) => requestFor(job, index));
  const expected = requests.map((request) => answerFor(request).tokens.join(''));
  const outcomes: StreamOutcome[] = [];
  const together = job.startTogether === true;
  let releasedAt = 0;
  let release = () => {};
  const gate = together
    ? new Promise<void>((resolve) => {
        release = () => {
          releasedAt = performance.now();
          resolve();
        };
      })
    : undefined;
  let startedCount = 0;
  /** When (performance.now()) nearly all streams had started: the whole run is measured from here. */
  let nearlyAllAt = Number.POSITIVE_INFINITY;
  // A straggler or two can start well after the rest; waiting for the very last one would
  // measure the few streams still open by then.
  const nearlyAll = Math.ceil(count * 0.99);
  // All streaming: from nearly all having had their first delta to the first few having ended.
  let streamingCount = 0;
  let allStreamingFrom = Number.POSITIVE_INFINITY;
  let allStreamingUntil = Number.POSITIVE_INFINITY;
  let endedCount = 0;
  const fewEnded = count - nearlyAll + 1;
  let next = 0;
  let connecting = 0;
  let open = 0;
  let streaming = 0;
  /** Streams connected or already over: the gate opens when that is all of them. */
  let arrived = 0;
  return new Promise((resolve) => {
    const pump = () => {
      while (next < count && open < job.concurrency && connecting < MAX_CONNECTING) {
        const index = next++;
        connecting++;
        open++;
        let stillConnecting = true;
        let hasArrived = false;
        let started = false;
        const connected = () => {
          if (stillConnecting) {
            stillConnecting = false;
            connecting--;
          }
          if (together && !hasArrived) {
            hasArrived = true;
            if (++arrived === count) acceptQueueDrained(job.port, 10_000).then(release);
          }
        };
        const onStarted = () => {
          if (started) return;
          started = true;
          connected();
          peak.open = Math.max(peak.open, ++streaming);
          if (together && ++startedCount === nearlyAll) nearlyAllAt = performance.now();
          if (together && startedCount === count)
            peak.allStartedMs = performance.now() - releasedAt;
          pump();
        };
        const hooks: StreamHooks = { onStart: onStarted };
        // Started together, the streams are measured once (nearly) all have started: a gap that
        // began while thousands of requests were still being taken on measures that burst, which
        // allStartedMs reports. The all-streaming window leaves out the first tokens of thousands
        // of streams falling due at once and thousands ending close together, too: it measures
        // the pace of streams that all run at the same time.
        if (gaps) {
          hooks.onFirstDelta = () => {
            if (together && ++streamingCount === nearlyAll) allStreamingFrom = performance.now();
          };
          hooks.onGap = (ms: number, since: number) => {
            if (!together) {
              gaps.wholeRun.push(ms);
              gaps.allStreaming.push(ms);
              return;
            }
            if (since >= nearlyAllAt) gaps.wholeRun.push(ms);
            if (since >= allStreamingFrom && since + ms <= allStreamingUntil) {
              gaps.allStreaming.push(ms);
            }
          };
        }
        if (gate) {
          hooks.gate = gate;
          hooks.onConnect = () => {
            connected();
            pump();
          };
        }
        runStream(
          target,
          requests[index] as StreamRequest,
          expected[index] as string,
          signal,
          hooks,
        ).then((outcome) => {
          if (together && ++endedCount === fewEnded) allStreamingUntil = performance.now();
          outcomes.push(outcome);
          onStarted();
          streaming--;
          open--;
          if (outcomes.length === count) resolve(outcomes);
          else pump();
        });
      }
    };
    if (count === 0) resolve(outcomes);
    else pump();
  });
}

/** Opens streams in steps and keeps them open, reporting after each step has started. */
async function hold(job: LoadJob, target: StreamTarget, steps: number[]): Promise<LoadResult> {
  const abort = new AbortController();
  // Every held stream listens to this one signal.
  setMaxListeners(0, abort.signal);
  const pending: Promise<StreamOutcome>[] = [];
  let started = 0;
  let opened = 0;
  for (const step of steps) {
    await new Promise<void>((resolve, reject) => {
      const goal = started + step;
      const timer = setTimeout(
        () => reject(new Error(`only ${started} of ${goal} streams started`)),
        job.deadlineMs,
      );
      const onStart = () => {
        if (++started < goal) return;
        clearTimeout(timer);
        resolve();
      };
      for (let index = 0; index < step; index++) {
        const request = requestFor(job, opened++);
        const outcome = runStream(
          target,
          request,
          answerFor(request).tokens.join(''),
          abort.signal,
          { onStart },
        );
        // A stream that ends while it should be held open is a failure the checkpoint must not hide.
        outcome.then((result) => {
          if (!abort.signal.aborted && !result.ok) reject(new Error(result.reason));
        });
        pending.push(outcome);
      }
    });
    await send({ type: 'checkpoint', started });
    await nextMessage();
  }
  abort.abort();
  const outcomes = await Promise.all(pending);
  const failures = outcomes.flatMap((outcome) =>
    outcome.ok || outcome.reason === 'aborted' ? [] : [outcome.reason],
  );
  return {
    streams: opened,
    completed: opened - failures.length,
    failed: failures.length,
    failures: failures.slice(0, 5),
    events: outcomes.reduce((sum, outcome) => sum + outcome.events, 0),
    elapsedMs: 0,
    peakOpen: started,
    firstDeltaMs: summarize([]),
  };
}

async function measure(job: LoadJob, target: StreamTarget): Promise<LoadResult> {
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  const deadline = setTimeout(() => abort.abort(), job.deadlineMs);
  try {
    const gaps: Gaps | undefined = job.recordGaps ? { wholeRun: [], allStreaming: [] } : undefined;
    const peak: { open: number; allStartedMs?: number } = { open: 0 };
    const cpuBefore = process.cpuUsage();
    const startedAt = performance.now();
    const outcomes = await runMany(job, target, job.streams, abort.signal, gaps, peak);
    const elapsedMs = performance.now() - startedAt;
    const cpu = process.cpuUsage(cpuBefore);
    const firstDeltas: number[] = [];
    const failures: string[] = [];
    let events = 0;
    for (const outcome of outcomes) {
      events += outcome.events;
      if (outcome.ok) firstDeltas.push(outcome.firstDeltaMs);
      else failures.push(outcome.reason);
    }
    const result: LoadResult = {
      streams: job.streams,
      completed: job.streams - failures.length,
      failed: failures.length,
      failures: failures.slice(0, 5),
      events,
      elapsedMs,
      peakOpen: peak.open,
      firstDeltaMs: summarize(firstDeltas),
      loadCpuShare: (cpu.user + cpu.system) / 1000 / elapsedMs,
    };
    if (gaps) {
      result.gapMs = summarize(gaps.allStreaming);
      result.wholeRunGapMs = summarize(gaps.wholeRun);
    }
    if (peak.allStartedMs !== undefined) result.allStartedMs = peak.allStartedMs;
    return result;
  } finally {
    clearTimeout(deadline);
  }
}

const job = JSON.parse(process.argv[2] ?? '') as LoadJob;
const target: StreamTarget = { host: job.host, port: job.port };
const result = job.holdSteps ? await hold(job, target, job.holdSteps) : await measure(job, target);
await send({ type: 'result', result });
process.exit(0);
