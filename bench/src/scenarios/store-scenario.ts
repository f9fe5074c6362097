/*
 * The slow-stream scenario twice in each run, on the project's server both times: with the
 * memory store (the baseline) and with the Redis store, which writes every event to Redis as it
 * is generated. Redis's own load is counted from its INFO stats.
 */
import { Redis } from 'ioredis';
import { type Scenario, type ScenarioSettings, slowStreams } from './baseline-scenarios.ts';

/** Commands Redis has processed since it started, INFO's own included. */
async function commandsProcessed(url: string): Promise<number> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const stats = await client.info('stats');
    return Number(/total_commands_processed:(\d+)/.exec(stats)?.[1] ?? Number.NaN);
  } finally {
    client.disconnect();
  }
}

/** The figures of the slow scenario that the comparison is about. */
const COMPARED = [
  'completed',
  'peakOpen',
  'gapP50Ms',
  'gapP99Ms',
  'wholeRunGapP99Ms',
  'serverCpuShare',
];

export function redisStoreSlowStreams(
  settings: ScenarioSettings,
  streams: number,
  tokens: number,
  redisUrl: string,
): Scenario {
  const slow = slowStreams(settings, streams, tokens);
  return {
    ...slow,
    name: `store-${slow.name}`,
    title: `${slow.title}, stores`,
    sides: {
      raw: { label: 'memory store', target: 'server', env: { STREAM_STORE: 'memory' } },
      server: {
        label: 'Redis store',
        target: 'server',
        env: { STREAM_STORE: 'redis', REDIS_URL: redisUrl },
      },
    },
    metrics: [
      ...slow.metrics.filter(({ key }) => COMPARED.includes(key)),
      { key: 'redisCommandsPerSecond', label: 'Redis commands/s (INFO stats)', better: 'lower' },
    ],
    async run(server) {
      const before = await commandsProcessed(redisUrl);
      const startedAt = performance.now();
      const figures = await slow.run(server);
      const seconds = (performance.now() - startedAt) / 1000;
      // The few commands of the measurement itself are in it too, a handful against thousands.
      const commands = (await commandsProcessed(redisUrl)) - before;
      return { ...figures, redisCommandsPerSecond: commands / seconds };
    },
  };
}
