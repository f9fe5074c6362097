/**
 * Test support: several production servers on one real redis-server, behind a real nginx with
 * the site of docs/operations.md, every process on loopback and ended by `stop`.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startRedis, type TestRedis } from '@gpt-stream/server/test-redis';
import { startNginx, type TestNginx } from './nginx.ts';
import { type OwnServer, startOwnServer } from './own-server.ts';

export interface Cluster {
  /** Where clients go: nginx. */
  url: string;
  instances: OwnServer[];
  redis: TestRedis;
  nginx: TestNginx;
  /** The instance that served a response, from nginx's `X-Upstream` (the last one it tried). */
  servedBy(upstreamHeader: string | null | undefined): OwnServer;
  /** One command to the cluster's Redis, by `redis-cli` (which comes with redis-server). */
  redisCommand(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startCluster(
  size: number,
  env: Record<string, string> = {},
): Promise<Cluster> {
  const redis = await startRedis();
  const instances: OwnServer[] = [];
  let nginx: TestNginx | undefined;
  const stop = async () => {
    await nginx?.stop();
    await Promise.all(instances.map((instance) => instance.kill()));
    await redis.stop();
  };
  try {
    const settings = { STREAM_STORE: 'redis', REDIS_URL: redis.url, ...env };
    const starting = Array.from({ length: size }, () => startOwnServer(settings));
    const settled = await Promise.allSettled(starting);
    for (const result of settled) if (result.status === 'fulfilled') instances.push(result.value);
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    nginx = await startNginx(instances.map(({ url }) => new URL(url).host));
  } catch (error) {
    await stop();
    throw error;
  }
  const started = nginx;
  return {
    url: started.url,
    instances,
    redis,
    nginx: started,
    servedBy(upstreamHeader) {
      const last = upstreamHeader?.split(',').at(-1)?.trim();
      const instance = instances.find(({ url }) => new URL(url).host === last);
      if (!instance) throw new Error(`no instance served this (X-Upstream: ${upstreamHeader})`);
      return instance;
    },
    async redisCommand(...args) {
      const { stdout } = await promisify(execFile)('redis-cli', ['-u', redis.url, ...args]);
      return stdout.trim();
    },
    stop,
  };
}
