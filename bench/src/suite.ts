/*
 * `pnpm bench`: the project's production server against the raw baseline, scenario by scenario,
 * each on a fresh process of both, alternating which goes first. Prints a Markdown table and
 * writes everything, every run included, to bench/results/latest.json.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startRedis, type TestRedis } from '@gpt-stream/server/test-redis';
import {
  cores,
  type ServerBuild,
  type ServerOptions,
  startServer,
  type TargetName,
} from './measure/processes.ts';
import {
  type Columns,
  type Figures,
  format,
  type RunPair,
  renderTable,
  summarize,
} from './measure/report.ts';
import { median } from './measure/stats.ts';
import {
  firehose,
  idleMemory,
  type Scenario,
  type ScenarioSettings,
  slowStreams,
  timeToFirstToken,
} from './scenarios/baseline-scenarios.ts';
import { runPageBench } from './scenarios/page-bench.ts';
import { runScaleOut, SCALE_OUT_METRICS } from './scenarios/scale-out.ts';
import { redisStoreSlowStreams } from './scenarios/store-scenario.ts';

const SCENARIOS = ['firehose', 'slow', 'idle', 'ttft', 'page', 'store', 'scale-out'] as const;

const USAGE = `pnpm bench [-- options]
  --runs N               runs of each scenario; figures are medians (default 3)
  --only a,b             scenarios among ${SCENARIOS.join(', ')} (default all)
  --slow-streams SxT,..  slow scenarios: S concurrent streams of T tokens each
                         (default 2000x50,5000x200; T defaults to 50)
  --firehose-streams N   (default 100)     --firehose-tokens N (default 2000)
  --idle-streams N       (default 2000)    --ttft-streams N    (default 200)
  --store-streams SxT    store: the slow scenario with the memory and the Redis store
                         (default 2000x50)
  --scale-out-streams SxT  scale-out: S streams of T tokens over three instances behind
                         nginx, one killed 3 s in (default 300x600)
  --server dist|src      the production bundle (default) or the TypeScript source through tsx
  --resumable true|false send this as the request's "resumable" (default: leave it out)
  --cpu-prof DIR         write a V8 CPU profile of every server process into DIR
                         (summarise one with: node bench/dist/profile-summary.js FILE)
  --out FILE             JSON results (default bench/results/latest.json)`;

function wholeNumber(raw: string, name: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1) throw new Error(`--${name} must be a whole number above 0`);
  return value;
}

/** `SxT`: S streams of T tokens (T defaults to 50). */
function streamsByTokens(raw: string, name: string): { streams: number; tokens: number } {
  const [streams = '', tokens = '50'] = raw.trim().split('x');
  return { streams: wholeNumber(streams, name), tokens: wholeNumber(tokens, name) };
}

function readOptions() {
  const args = process.argv.slice(2);
  // `pnpm bench -- --runs 5` hands the `--` on to the script as an argument of its own.
  if (args[0] === '--') args.shift();
  const { values } = parseArgs({
    args,
    options: {
      runs: { type: 'string', default: '3' },
      only: { type: 'string', default: SCENARIOS.join(',') },
      'slow-streams': { type: 'string', default: '2000x50,5000x200' },
      'firehose-streams': { type: 'string', default: '100' },
      'firehose-tokens': { type: 'string', default: '2000' },
      'idle-streams': { type: 'string', default: '2000' },
      'ttft-streams': { type: 'string', default: '200' },
      'store-streams': { type: 'string', default: '2000x50' },
      'scale-out-streams': { type: 'string', default: '300x600' },
      server: { type: 'string', default: 'dist' },
      resumable: { type: 'string' },
      'cpu-prof': { type: 'string' },
      out: {
        type: 'string',
        default: fileURLToPath(new URL('../results/latest.json', import.meta.url)),
      },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const only = values.only.split(',').map((name) => name.trim());
  const unknown = only.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}\n${USAGE}`);
  if (values.server !== 'dist' && values.server !== 'src')
    throw new Error('--server must be dist or src');
  if (values.resumable !== undefined && !['true', 'false'].includes(values.resumable)) {
    throw new Error('--resumable must be true or false');
  }
  const settings: ScenarioSettings = {
    firehoseStreams: wholeNumber(values['firehose-streams'], 'firehose-streams'),
    firehoseTokens: wholeNumber(values['firehose-tokens'], 'firehose-tokens'),
    idleStreams: wholeNumber(values['idle-streams'], 'idle-streams'),
    ttftStreams: wholeNumber(values['ttft-streams'], 'ttft-streams'),
  };
  if (values.resumable !== undefined) settings.resumable = values.resumable === 'true';
  return {
    runs: wholeNumber(values.runs, 'runs'),
    only: new Set(only),
    slowStreams: values['slow-streams']
      .split(',')
      .map((raw) => streamsByTokens(raw, 'slow-streams')),
    storeStreams: streamsByTokens(values['store-streams'], 'store-streams'),
    scaleOutStreams: streamsByTokens(values['scale-out-streams'], 'scale-out-streams'),
    server: {
      build: values.server as ServerBuild,
      cpuProfileDir: values['cpu-prof'] && resolve(values['cpu-prof']),
    },
    out: resolve(values.out),
    settings,
  };
}

async function measure(
  scenario: Scenario,
  slot: TargetName,
  options: ServerOptions,
): Promise<Figures> {
  const side = scenario.sides?.[slot];
  const env = { ...scenario.env, ...side?.env };
  const server = await startServer(side?.target ?? slot, options, env);
  try {
    return await scenario.run(server);
  } finally {
    await server.stop();
  }
}

async function main() {
  const options = readOptions();
  const serverBundle = fileURLToPath(new URL('../../apps/server/dist/main.js', import.meta.url));
  if (options.server.build === 'dist' && !existsSync(serverBundle)) {
    throw new Error(`${serverBundle} is missing: run \`pnpm build\` first, or pass --server src`);
  }
  const scenarios: Scenario[] = [];
  if (options.only.has('firehose')) scenarios.push(firehose(options.settings));
  if (options.only.has('slow')) {
    for (const { streams, tokens } of options.slowStreams)
      scenarios.push(slowStreams(options.settings, streams, tokens));
  }
  if (options.only.has('idle')) scenarios.push(idleMemory(options.settings));
  if (options.only.has('ttft')) scenarios.push(timeToFirstToken(options.settings));
  // One Redis for the whole run: each store run's servers write to it, and it counts commands.
  let redis: TestRedis | undefined;
  if (options.only.has('store')) {
    redis = await startRedis();
    const { streams, tokens } = options.storeStreams;
    scenarios.push(redisStoreSlowStreams(options.settings, streams, tokens, redis.url));
  }

  console.log(
    `gpt-stream bench: ${options.runs} run(s); server ${cores ? `on core ${cores.server}, load on core ${cores.load}` : 'and load unpinned'}`,
  );
  const runs = new Map<string, RunPair[]>(scenarios.map((scenario) => [scenario.name, []]));
  for (let run = 0; run < options.runs; run++) {
    for (const scenario of scenarios) {
      // Alternate who goes first, so a machine that warms up or gets busier favours neither.
      const order: TargetName[] = run % 2 === 0 ? ['raw', 'server'] : ['server', 'raw'];
      const pair: Partial<RunPair> = {};
      for (const target of order) {
        const startedAt = performance.now();
        pair[target] = await measure(scenario, target, options.server);
        const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
        const side = scenario.sides?.[target].label ?? target;
        console.log(`run ${run + 1}/${options.runs} ${scenario.title}: ${side} (${seconds} s)`);
      }
      runs.get(scenario.name)?.push(pair as RunPair);
    }
  }
  await redis?.stop();

  const scaleOutRuns: Figures[] = [];
  if (options.only.has('scale-out')) {
    const { streams, tokens } = options.scaleOutStreams;
    for (let run = 0; run < options.runs; run++) {
      const startedAt = performance.now();
      scaleOutRuns.push(await runScaleOut({ streams, tokens, killAfterMs: 3000 }));
      const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
      console.log(`run ${run + 1}/${options.runs} scale-out ${streams}×${tokens} (${seconds} s)`);
    }
  }

  const sections = scenarios.map((scenario) => ({
    name: scenario.name,
    title: scenario.title,
    env: scenario.env,
    metrics: summarize(scenario.metrics, runs.get(scenario.name) ?? []),
    runs: runs.get(scenario.name) ?? [],
  }));
  const page = options.only.has('page')
    ? await runPageBench()
    : { ran: false, reason: 'not asked for' };

  const tables = [...groupByColumns(scenarios, sections)].map(([columns, group]) =>
    renderTable(group, columns),
  );
  if (scaleOutRuns.length > 0) {
    const { streams, tokens } = options.scaleOutStreams;
    tables.push(
      scaleOutTable(`scale-out ${streams}×${tokens}, 3 instances, 1 killed`, scaleOutRuns),
    );
  }
  const table = tables.join('\n\n');
  console.log(`\n${table}\n`);
  if (!page.ran) console.log(`page rendering benchmark: ${page.reason}`);

  const results = {
    startedAt: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      arch: arch(),
      node: process.version,
      loadAverage: loadavg(),
      pinning: cores ?? null,
    },
    options: { ...options, only: [...options.only] },
    scenarios: sections,
    page,
    scaleOut: scaleOutRuns,
    table,
  };
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results written to ${options.out}`);
}

/** Sections that compare the same two sides share a table. */
function groupByColumns<T>(scenarios: Scenario[], sections: T[]): Map<Columns | undefined, T[]> {
  const groups = new Map<Columns | undefined, T[]>();
  const byLabels = new Map<string, Columns>();
  sections.forEach((section, index) => {
    const sides = scenarios[index]?.sides;
    let columns: Columns | undefined;
    if (sides) {
      const key = `${sides.raw.label}|${sides.server.label}`;
      columns = byLabels.get(key) ?? { raw: sides.raw.label, server: sides.server.label };
      byLabels.set(key, columns);
    }
    groups.set(columns, [...(groups.get(columns) ?? []), section]);
  });
  return groups;
}

function scaleOutTable(title: string, runs: Figures[]): string {
  const rows = ['| scenario | figure | median of runs | runs |', '| --- | --- | ---: | --- |'];
  for (const metric of SCALE_OUT_METRICS) {
    const values = runs.map((run) => run[metric.key] ?? Number.NaN);
    const shown = values.map(format);
    rows.push(`| ${title} | ${metric.label} | ${format(median(values))} | ${shown.join(', ')} |`);
  }
  return rows.join('\n');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
