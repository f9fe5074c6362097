/**
 * Rendering benchmark: does the page keep up with a stream that arrives as fast as the server can
 * send it? Each run, in one Chromium, measures the same echo stream three ways:
 *
 * - arrival: fetch reads the raw response to its end, rendering nothing (the baseline);
 * - page: the real built page, from pressing Send until the whole text is painted;
 * - innerText: the seed article's `output.innerText += chunk`, at fewer tokens, with a time limit.
 *
 * and a stream of mixed Markdown (headings, lists, tables, long code blocks) three ways: its
 * arrival, the page rendering it as Markdown, and the page showing it as exact text.
 *
 * Every page run must end with the whole answer on the page and the thread at its bottom: text
 * the page stopped following is skipped by layout, and would make a page that lost the reader
 * look fast. It reports medians of several runs, the page/arrival ratio per run, and the
 * longest main-thread task (PerformanceObserver 'longtask', which sees tasks over 50 ms). BENCH_JSON=<file> also
 * writes the results as JSON. To see where a page run's time goes, BENCH_TRACE_DIR=<dir> writes
 * a Chromium trace of each (open it in DevTools' Performance panel), and BENCH_NO_MINIFY=1
 * keeps the page's function names readable in it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumExecutable } from '@gpt-stream/e2e/browser';
import { startOwnServer } from '@gpt-stream/e2e/own-server';
import { type Browser, chromium } from '@playwright/test';
import { build } from 'vite';
import { textOfTokens } from './exact-tokens.ts';
import { type MarkdownAnswer, markdownAnswer } from './markdown-answer.ts';
import { THREAD_SIZES, type ThreadRun, threadRun, threadTokens } from './thread-bench.ts';

const WEB_ROOT = fileURLToPath(new URL('..', import.meta.url));

function envInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be at least ${min}`);
  return value;
}

const settings = {
  tokens: envInt('BENCH_TOKENS', 100_000),
  naiveTokens: envInt('BENCH_NAIVE_TOKENS', 10_000),
  runs: envInt('BENCH_RUNS', 5),
  markdownTokens: envInt('BENCH_MARKDOWN_TOKENS', 100_000),
  naiveRuns: envInt('BENCH_NAIVE_RUNS', 3, 0),
  naiveLimitMs: envInt('BENCH_NAIVE_LIMIT_MS', 90_000),
  threadRuns: envInt('BENCH_THREAD_RUNS', 5, 0),
};

/** What the page must show at the end: the exact text, or the structure of a Markdown answer. */
type Expected =
  | { mode: 'text'; text: string }
  | { mode: 'markdown'; counts: MarkdownAnswer['counts'] };

interface Run {
  ms: number;
  /** Delta events the page counted. */
  tokens: number;
  /** Main-thread tasks over 50 ms during the run, in ms. */
  longTasks: number[];
  /**
   * The longest animation frame over 50 ms (Chromium's Long Animation Frame timing, untraced), split
   * into its scripts and its style, layout and paint: what a long task was spent on.
   */
  longestFrame: LongFrame | null;
  /**
   * Whether the server cut the page and it resumed (it fell READER_MAX_LAG_BYTES behind): such
   * a run measures the reconnection as well as the rendering.
   */
  reconnected: boolean;
}

interface LongFrame {
  ms: number;
  scriptMs: number;
  renderMs: number;
  /** When it started, in ms after the page's request: a fresh page's first frames, or mid-answer. */
  atMs: number;
}

interface ArrivalRun {
  ms: number;
  bytes: number;
}

/**
 * When the page asks for the stream (it hands the request to its stream worker, or, before that
 * runs, calls fetch itself), and when the worker says it runs. A string, not a function: tsx
 * would wrap a function in a helper the page does not have.
 */
const RECORD_CHAT_FETCH = `{
  const record = (url) => {
    if (window.chatFetchAt === undefined && new URL(url, location.href).pathname === '/api/chat') {
      window.chatFetchAt = performance.now();
    }
  };
  const fetch = window.fetch;
  window.fetch = (input, init) => {
    record(String(input));
    return fetch(input, init);
  };
  const postMessage = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (message, transfer) {
    if (message && message.request) record(message.request.url);
    return postMessage.call(this, message, transfer);
  };
  const PageWorker = Worker;
  window.Worker = class extends PageWorker {
    constructor(url, options) {
      super(url, options);
      this.addEventListener('message', ({ data }) => {
        if (data && data.ready) window.streamWorkerRunning = true;
      });
    }
  };
}`;

/**
 * A page in a context of its own, hence a renderer process of its own: the previous run's
 * clean-up (collecting a 650 KB answer) must not land in this run's measurements.
 */
async function freshPage(browser: Browser) {
  const context = await browser.newContext();
  return context.newPage();
}

/** The real page: fills the prompt, presses Send, waits for a final state and two paints. */
async function pageRun(
  browser: Browser,
  url: string,
  prompt: string,
  expected: Expected,
): Promise<Run> {
  const page = await freshPage(browser);
  try {
    // The clock starts when the page calls fetch, as it does for the arrival baseline: the cost
    // of reading the (huge) prompt out of the textarea is not the renderer's.
    await page.addInitScript(RECORD_CHAT_FETCH);
    await page.addInitScript(
      `localStorage.setItem('gpt-stream:render-mode', ${JSON.stringify(expected.mode)})`,
    );
    await page.goto(url);
    await page.locator('#model option[value="echo"]').waitFor({ state: 'attached' });
    await page.locator('#model').selectOption('echo');
    // A person presses Send long after the page's stream worker has started: so does the bench.
    await page.waitForFunction(() => 'streamWorkerRunning' in window);
    // No named functions inside evaluate: tsx wraps them in a helper the page does not have.
    const traceDir = process.env.BENCH_TRACE_DIR;
    if (traceDir) {
      const path = join(traceDir, `${expected.mode}-${Date.now()}.json`);
      await browser.startTracing(page, { path, categories: TRACE_CATEGORIES });
    }
    const result = await page.evaluate(
      async ([text, want]) => {
        const [prompt, status, send, error, metrics] = [
          'prompt',
          'status',
          'send',
          'error',
          'metrics',
        ].map((id) => document.getElementById(id) as HTMLElement) as [
          HTMLTextAreaElement,
          HTMLElement,
          HTMLElement,
          HTMLElement,
          HTMLElement,
        ];
        prompt.value = text;
        const tasks: PerformanceEntry[] = [];
        const observer = new PerformanceObserver((list) => {
          tasks.push(...list.getEntries());
        });
        observer.observe({ type: 'longtask' });
        const frames: PerformanceEntry[] = [];
        const frameObserver = new PerformanceObserver((list) => {
          frames.push(...list.getEntries());
        });
        if (PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) {
          frameObserver.observe({ type: 'long-animation-frame' });
        }
        let reconnected = false;
        const ended = new Promise<void>((resolve) => {
          new MutationObserver(() => {
            if (status.textContent?.startsWith('Reconnecting')) reconnected = true;
            if (['done', 'stopped', 'error'].includes(status.dataset.state ?? '')) resolve();
          }).observe(status, {
            attributeFilter: ['data-state'],
            childList: true,
            subtree: true,
            characterData: true,
          });
        });
        send.click();
        // The echo model needs the whole answer as the prompt, and a textarea holding 650 KB costs
        // a paint of its own on the next frame (some 50 ms) that has nothing to do with rendering
        // the stream. The page has read the prompt by now: sending is synchronous up to fetch.
        prompt.value = '';
        await ended;
        await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
        const started = (window as unknown as { chatFetchAt: number }).chatFetchAt;
        const ms = performance.now() - started;
        tasks.push(...observer.takeRecords());
        observer.disconnect();
        frames.push(...frameObserver.takeRecords());
        frameObserver.disconnect();
        // The answer's element joins the thread on Send.
        const output = document.getElementById('gpt-output') as HTMLElement;
        // A page that stopped following the answer renders what nobody sees: skipped, not drawn.
        // Text laid out in the last frames can still grow the thread: the page pins it again.
        const thread = document.getElementById('conversation') as HTMLElement;
        let gap = 0;
        for (let frame = 0; frame < 10; frame++) {
          gap = thread.scrollHeight - thread.scrollTop - thread.clientHeight;
          if (gap <= 8) break;
          await new Promise((resolve) => requestAnimationFrame(resolve));
        }
        // No arrow function bound to a name in here: tsx would wrap it in a helper (__name).
        const shown = ['h2', '.md-code', 'table', 'li']
          .map((selector) => output.querySelectorAll(selector).length)
          .join();
        const complete =
          want.mode === 'text'
            ? output.textContent === want.text
            : output.dataset.renderMode === 'markdown' &&
              shown ===
                [
                  want.counts.headings,
                  want.counts.codeBlocks,
                  want.counts.tables,
                  want.counts.listItems,
                ].join();
        return {
          ms,
          tokens: Number(metrics.dataset.tokens),
          longTasks: tasks.filter((task) => task.startTime >= started).map((task) => task.duration),
          longestFrame: frames
            .filter((frame) => frame.startTime >= started)
            .map((frame) => {
              const { duration, startTime, renderStart, scripts } = frame as PerformanceEntry & {
                renderStart: number;
                scripts: { duration: number }[];
              };
              return {
                ms: duration,
                scriptMs: scripts.reduce((sum, script) => sum + script.duration, 0),
                renderMs: renderStart > 0 ? startTime + duration - renderStart : 0,
                atMs: startTime - started,
              };
            })
            .reduce<LongFrame | null>((a, b) => (a && a.ms >= b.ms ? a : b), null),
          state: status.dataset.state,
          gap,
          reconnected,
          complete,
          error: error.textContent,
        };
      },
      [prompt, expected] as const,
    );
    if (traceDir) await browser.stopTracing();
    if (result.state !== 'done' || !result.complete) {
      throw new Error(
        `the page ended ${result.state}, ${expected.mode} complete: ${result.complete}. ${result.error}`,
      );
    }
    if (result.gap > 8) {
      throw new Error(
        `the page stopped following the ${expected.mode} answer, ${Math.round(result.gap)} px short of its end`,
      );
    }
    return {
      ms: result.ms,
      tokens: result.tokens,
      longTasks: result.longTasks,
      longestFrame: result.longestFrame,
      reconnected: result.reconnected,
    };
  } finally {
    await page.context().close();
  }
}

/** What DevTools' Performance panel records: tasks, layout and paint, and the JS profile. */
const TRACE_CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'v8.execute',
  'disabled-by-default-v8.cpu_profiler',
];

/** Tries of one arrival run: the server may cut it (see below). */
const ARRIVAL_TRIES = 5;

/**
 * The same request, read to its end by fetch alone: how long the bytes take to arrive. The echo
 * model at full speed outruns any reader, and a server cuts a reader that falls too far behind
 * (READER_MAX_LAG_BYTES, raised for this bench, see `main`); should it still happen, the run is
 * measured again: the page resumes such a stream by itself, bare fetch cannot.
 */
async function arrivalRun(browser: Browser, url: string, prompt: string): Promise<ArrivalRun> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await arrivalAttempt(browser, url, prompt);
    } catch (error) {
      if (attempt === ARRIVAL_TRIES) throw error;
      process.stderr.write(`arrival run cut (${String(error).split('\n')[0]}); measuring again\n`);
    }
  }
}

async function arrivalAttempt(browser: Browser, url: string, prompt: string): Promise<ArrivalRun> {
  const page = await freshPage(browser);
  try {
    await page.goto(url);
    const result = await page.evaluate(
      async (body) => {
        const started = performance.now();
        const response = await fetch('/api/chat', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
          body,
        });
        const reader = (response.body as ReadableStream<Uint8Array>).getReader();
        let bytes = 0;
        let tail: Uint8Array = new Uint8Array();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          bytes += value.length;
          tail = value;
        }
        const ms = performance.now() - started;
        return { ms, bytes, tail: new TextDecoder().decode(tail.slice(-300)) };
      },
      JSON.stringify({ prompt, model: 'echo' }),
    );
    if (!result.tail.includes('event: done'))
      throw new Error('the raw stream did not end with done');
    return { ms: result.ms, bytes: result.bytes };
  } finally {
    await page.context().close();
  }
}

/** `innerText +=` per token; bounded, since it is quadratic. Null when it ran out of time. */
async function naiveRun(browser: Browser, url: string, prompt: string): Promise<Run | null> {
  const page = await freshPage(browser);
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), settings.naiveLimitMs);
  });
  try {
    await page.goto(`${url}/bench/naive.html`);
    const run = page.evaluate(async (text) => {
      const longTasks: number[] = [];
      const observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) longTasks.push(entry.duration);
      });
      observer.observe({ type: 'longtask' });
      const started = performance.now();
      const send = (window as unknown as { naiveSend: (p: string) => Promise<{ type: string }> })
        .naiveSend;
      const outcome = await send(text);
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      const ms = performance.now() - started;
      for (const entry of observer.takeRecords()) longTasks.push(entry.duration);
      return { ms, longTasks, outcome: outcome.type };
    }, prompt);
    const result = await Promise.race([run, limit]);
    if (result && result.outcome !== 'completed')
      throw new Error(`innerText run: ${result.outcome}`);
    return (
      result && {
        ms: result.ms,
        tokens: 0,
        longTasks: result.longTasks,
        longestFrame: null,
        reconnected: false,
      }
    );
  } finally {
    clearTimeout(timer);
    // Closing also ends a run that ran out of time, busy main thread and all.
    await page.context().close();
  }
}

interface MarkdownResults {
  tokens: number;
  bytes: number;
  arrivalMs: number;
  markdownMs: number;
  textMs: number;
  /** Medians of the per-run ratios: Markdown ÷ arrival, and Markdown ÷ text mode. */
  vsArrival: number;
  vsText: number;
  vsArrivalRuns: number[];
  vsTextRuns: number[];
  reconnected: { markdown: number; text: number };
  markdownLongestTaskMs: number;
  markdownLongTasks: number;
  textLongestTaskMs: number;
  /** Each run's longest task over 50 ms, 0 for none: whether long tasks are the rule or a hiccup. */
  longestTaskRuns: { markdown: number[]; text: number[] };
  /** Each run's longest frame over 50 ms, null for none. */
  longestFrameRuns: { markdown: (LongFrame | null)[]; text: (LongFrame | null)[] };
}

interface BenchResults {
  settings: typeof settings;
  markdown: MarkdownResults;
  page: {
    tokens: number;
    bytes: number;
    arrivalMs: number;
    renderMs: number;
    ratio: number;
    ratios: number[];
    longestTaskMs: number;
    longTasks: number;
    /** Runs of the page that the server cut, and that resumed. */
    reconnected: number;
  };
  small: {
    tokens: number;
    arrivalMs: number;
    renderMs: number;
    longestTaskMs: number;
    /** Null when a run ran out of time: it is at least the limit. */
    innerTextMs: number | null;
    innerTextTimedOut: number;
    innerTextLongestTaskMs: number;
  };
  /** A restored thread of each size; the empty one is the baseline. */
  thread: {
    turns: number;
    tokens: number;
    loadMs: number;
    loadRatio: number;
    firstTokenMs: number;
    firstTokenRatio: number;
    arrivedMs: number;
    /** Painted minus arrived: what showing the first token cost. */
    paintMs: number;
  }[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function buildPages(outDir: string): Promise<void> {
  await build({
    root: WEB_ROOT,
    configFile: false,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      minify: process.env.BENCH_NO_MINIFY ? false : 'oxc',
      rollupOptions: {
        input: { index: join(WEB_ROOT, 'index.html'), naive: join(WEB_ROOT, 'bench/naive.html') },
      },
    },
  });
}

const ratiosOf = (runs: readonly Run[], bases: readonly { ms: number }[]) =>
  runs.map((run, index) => run.ms / (bases[index] as { ms: number }).ms);

const longestOf = (run: Run) => Math.max(0, ...run.longTasks);
const longest = (runs: readonly Run[]) => Math.max(0, ...runs.map(longestOf));

const reconnections = (runs: readonly Run[]) => runs.filter((run) => run.reconnected).length;

const exact = (text: string): Expected => ({ mode: 'text', text });

/** The Markdown stream: its arrival, the page in Markdown mode, the page in text mode. */
async function markdownRuns(browser: Browser, url: string): Promise<MarkdownResults> {
  const answer = markdownAnswer(settings.markdownTokens);
  const arrival: ArrivalRun[] = [];
  const markdown: Run[] = [];
  const text: Run[] = [];
  for (let run = 0; run < settings.runs; run++) {
    // Which mode goes first alternates, so that neither always follows the arrival run.
    const modes = run % 2 === 0 ? (['markdown', 'text'] as const) : (['text', 'markdown'] as const);
    arrival.push(await arrivalRun(browser, url, answer.text));
    for (const mode of modes) {
      const expected: Expected =
        mode === 'text' ? { mode, text: answer.text } : { mode, counts: answer.counts };
      (mode === 'text' ? text : markdown).push(await pageRun(browser, url, answer.text, expected));
    }
    process.stderr.write(`markdown: run ${run + 1}/${settings.runs} done\n`);
  }
  const vsArrivalRuns = ratiosOf(markdown, arrival);
  const vsTextRuns = ratiosOf(markdown, text);
  return {
    tokens: markdown[0]?.tokens ?? 0,
    bytes: arrival[0]?.bytes ?? 0,
    arrivalMs: median(arrival.map((run) => run.ms)),
    markdownMs: median(markdown.map((run) => run.ms)),
    textMs: median(text.map((run) => run.ms)),
    vsArrival: median(vsArrivalRuns),
    vsText: median(vsTextRuns),
    reconnected: { markdown: reconnections(markdown), text: reconnections(text) },
    vsArrivalRuns,
    vsTextRuns,
    markdownLongestTaskMs: longest(markdown),
    markdownLongTasks: markdown.reduce((count, run) => count + run.longTasks.length, 0),
    textLongestTaskMs: longest(text),
    longestTaskRuns: { markdown: markdown.map(longestOf), text: text.map(longestOf) },
    longestFrameRuns: {
      markdown: markdown.map((run) => run.longestFrame),
      text: text.map((run) => run.longestFrame),
    },
  };
}

async function main(): Promise<void> {
  const outDir = mkdtempSync(join(tmpdir(), 'gpt-stream-render-bench-'));
  await buildPages(outDir);
  const server = await startOwnServer({
    WEB_DIR: outDir,
    MOCK_DELAY_MS: '0',
    MAX_PROMPT_CHARS: '1000000',
    // At 1 MiB, the default, a page that stalls for a frame or two behind this firehose is cut
    // and resumes, and the run would time the reconnection rather than the rendering.
    READER_MAX_LAG_BYTES: String(256 * 1024 * 1024),
  });
  const executablePath = chromiumExecutable();
  const browser = await chromium.launch(executablePath ? { executablePath } : {});
  try {
    const big = textOfTokens(settings.tokens);
    const small = textOfTokens(settings.naiveTokens);
    const arrival: ArrivalRun[] = [];
    const rendered: Run[] = [];
    const smallArrival: ArrivalRun[] = [];
    const smallRendered: Run[] = [];
    const naive: (Run | null)[] = [];
    // Warm-up: the first run pays for compiling the page and the server's code paths.
    await arrivalRun(browser, server.url, small);
    await pageRun(browser, server.url, small, exact(small));
    // Interleaved, so that a noisy moment on the machine hits every way alike.
    for (let run = 0; run < settings.runs; run++) {
      arrival.push(await arrivalRun(browser, server.url, big));
      rendered.push(await pageRun(browser, server.url, big, exact(big)));
      smallArrival.push(await arrivalRun(browser, server.url, small));
      smallRendered.push(await pageRun(browser, server.url, small, exact(small)));
      if (run < settings.naiveRuns) naive.push(await naiveRun(browser, server.url, small));
      process.stderr.write(`run ${run + 1}/${settings.runs} done\n`);
    }

    const markdown = await markdownRuns(browser, server.url);

    const threads: ThreadRun[] = [];
    if (settings.threadRuns > 0) await threadRun(browser, server.url, 10);
    for (let run = 0; run < settings.threadRuns; run++) {
      for (const turns of THREAD_SIZES) threads.push(await threadRun(browser, server.url, turns));
      process.stderr.write(`thread run ${run + 1}/${settings.threadRuns} done\n`);
    }

    const ratios = rendered.map((run, index) => run.ms / (arrival[index] as ArrivalRun).ms);
    const finishedNaive = naive.filter((run): run is Run => run !== null);
    const naiveMs =
      naive.length > 0 && finishedNaive.length === naive.length
        ? median(finishedNaive.map((run) => run.ms))
        : null;
    const results: BenchResults = {
      settings,
      markdown,
      page: {
        tokens: settings.tokens,
        bytes: arrival[0]?.bytes ?? 0,
        arrivalMs: median(arrival.map((run) => run.ms)),
        renderMs: median(rendered.map((run) => run.ms)),
        ratio: median(ratios),
        ratios,
        longestTaskMs: longest(rendered),
        longTasks: rendered.reduce((count, run) => count + run.longTasks.length, 0),
        reconnected: reconnections(rendered),
      },
      small: {
        tokens: settings.naiveTokens,
        arrivalMs: median(smallArrival.map((run) => run.ms)),
        renderMs: median(smallRendered.map((run) => run.ms)),
        longestTaskMs: longest(smallRendered),
        innerTextMs: naiveMs,
        innerTextTimedOut: naive.length - finishedNaive.length,
        innerTextLongestTaskMs: longest(finishedNaive),
      },
      thread: summariseThreads(threads),
    };
    printTable(results);
    if (process.env.BENCH_JSON)
      writeFileSync(process.env.BENCH_JSON, `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await browser.close();
    await server.kill();
    rmSync(outDir, { recursive: true, force: true });
  }
}

function summariseThreads(runs: readonly ThreadRun[]): BenchResults['thread'] {
  if (runs.length === 0) return [];
  const of = (turns: number) => runs.filter((run) => run.turns === turns);
  const baseline = of(0);
  const baseLoad = median(baseline.map((run) => run.loadMs));
  const baseToken = median(baseline.map((run) => run.firstTokenMs));
  return THREAD_SIZES.map((turns) => {
    const loadMs = median(of(turns).map((run) => run.loadMs));
    const firstTokenMs = median(of(turns).map((run) => run.firstTokenMs));
    const arrivedMs = median(of(turns).map((run) => run.arrivedMs));
    return {
      arrivedMs,
      paintMs: median(of(turns).map((run) => run.firstTokenMs - run.arrivedMs)),
      turns,
      tokens: threadTokens(turns),
      loadMs,
      loadRatio: loadMs / baseLoad,
      firstTokenMs,
      firstTokenRatio: firstTokenMs / baseToken,
    };
  });
}

function printThreadTable(results: BenchResults): void {
  if (results.thread.length === 0) return;
  const ms = (value: number) => `${Math.round(value).toLocaleString('en')} ms`;
  const rows = [
    [
      'restored thread',
      'tokens',
      'load, painted',
      'vs empty',
      'first token painted',
      'vs empty',
      'arrived',
      'painted - arrived',
    ],
    ...results.thread.map((row) => [
      row.turns === 0 ? 'empty (baseline)' : `${row.turns} turns`,
      row.tokens.toLocaleString('en'),
      ms(row.loadMs),
      `${row.loadRatio.toFixed(2)}x`,
      ms(row.firstTokenMs),
      `${row.firstTokenRatio.toFixed(2)}x`,
      ms(row.arrivedMs),
      ms(row.paintMs),
    ]),
  ];
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  console.log(`\nRestored threads in Chromium: medians of ${results.settings.threadRuns} runs`);
  for (const row of rows)
    console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '));
}

const msOf = (value: number) => `${Math.round(value).toLocaleString('en')} ms`;
const taskOf = (value: number) => (value === 0 ? 'none over 50 ms' : msOf(value));

function printRows(title: string, rows: (string | number)[][]): void {
  const cells = rows.map((row) => row.map(String));
  const widths =
    cells[0]?.map((_, column) => Math.max(...cells.map((row) => row[column]?.length ?? 0))) ?? [];
  console.log(`\n${title}`);
  for (const row of cells)
    console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '));
}

function printMarkdown(results: BenchResults): void {
  const md = results.markdown;
  printRows(`Mixed Markdown in Chromium: medians of ${results.settings.runs} runs`, [
    ['way', 'tokens', 'median time', 'vs arrival', 'vs text mode', 'longest task'],
    ['arrival, no rendering', md.tokens, msOf(md.arrivalMs), '1.00x', '-', '-'],
    [
      'page, text mode',
      md.tokens,
      msOf(md.textMs),
      `${(md.textMs / md.arrivalMs).toFixed(2)}x`,
      '1.00x',
      taskOf(md.textLongestTaskMs),
    ],
    [
      'page, Markdown mode',
      md.tokens,
      msOf(md.markdownMs),
      `${md.vsArrival.toFixed(2)}x`,
      `${md.vsText.toFixed(2)}x`,
      taskOf(md.markdownLongestTaskMs),
    ],
  ]);
  const list = (ratios: number[]) => ratios.map((ratio) => ratio.toFixed(2)).join(', ');
  console.log(`Markdown/arrival per run: ${list(md.vsArrivalRuns)}`);
  console.log(`Markdown/text per run: ${list(md.vsTextRuns)}`);
  const tasks = (runs: number[]) => runs.map((ms) => (ms === 0 ? '-' : Math.round(ms))).join(', ');
  console.log(
    `longest task per run (ms, - for none over 50): text mode ${tasks(md.longestTaskRuns.text)}; Markdown ${tasks(md.longestTaskRuns.markdown)}`,
  );
  const frames = (runs: (LongFrame | null)[]) =>
    runs
      .map((frame) =>
        frame
          ? `${Math.round(frame.scriptMs)}+${Math.round(frame.renderMs)} at ${Math.round(frame.atMs)}`
          : '-',
      )
      .join(', ');
  console.log(
    `longest frame per run (ms of script + ms of style, layout and paint at ms after the request; - for none over 50): text mode ${frames(md.longestFrameRuns.text)}; Markdown ${frames(md.longestFrameRuns.markdown)}`,
  );
  console.log(
    `runs the server cut (they resumed): text mode ${md.reconnected.text}, Markdown ${md.reconnected.markdown}`,
  );
}

function printTable(results: BenchResults): void {
  printMarkdown(results);
  printThreadTable(results);
  const { page, small } = results;
  const ms = (value: number) => `${Math.round(value).toLocaleString('en')} ms`;
  const task = (value: number) => (value === 0 ? 'none over 50 ms' : ms(value));
  const rows = [
    ['way', 'tokens', 'median time', 'vs arrival', 'longest task'],
    ['arrival, no rendering', page.tokens, ms(page.arrivalMs), '1.00x', '-'],
    [
      'page (renderer.ts)',
      page.tokens,
      ms(page.renderMs),
      `${page.ratio.toFixed(2)}x`,
      task(page.longestTaskMs),
    ],
    ['arrival, no rendering', small.tokens, ms(small.arrivalMs), '1.00x', '-'],
    [
      'page (renderer.ts)',
      small.tokens,
      ms(small.renderMs),
      `${(small.renderMs / small.arrivalMs).toFixed(2)}x`,
      task(small.longestTaskMs),
    ],
    [
      'innerText += chunk',
      small.tokens,
      small.innerTextMs !== null
        ? ms(small.innerTextMs)
        : small.innerTextTimedOut > 0
          ? `> ${ms(results.settings.naiveLimitMs)}`
          : 'not run',
      small.innerTextMs === null ? '-' : `${(small.innerTextMs / small.arrivalMs).toFixed(1)}x`,
      task(small.innerTextLongestTaskMs),
    ],
  ].map((row) => row.map(String));
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  console.log(
    `\nPage rendering in Chromium: medians of ${results.settings.runs} runs (innerText: ${results.settings.naiveRuns})`,
  );
  for (const row of rows)
    console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '));
  console.log(
    `page/arrival ratio per run: ${page.ratios.map((ratio) => ratio.toFixed(2)).join(', ')}`,
  );
  console.log(`runs the server cut (they resumed): ${page.reconnected}`);
}

await main();
