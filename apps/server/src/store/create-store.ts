import type { Config } from '../config/config.ts';
import type { Logger } from '../observability/logger.ts';
import { MemoryStore } from './memory-store.ts';
import { RedisStore } from './redis-store.ts';
import type { StreamStore } from './stream-store.ts';

export type StoreConfig = Pick<
  Config,
  | 'streamStore'
  | 'redisUrl'
  | 'streamRetentionMs'
  | 'instanceLeaseMs'
  | 'memoryStoreMaxStreams'
  | 'memoryStoreMaxBytes'
>;

/**
 * The store `STREAM_STORE` names; rejects with a readable message when Redis is out of reach.
 * `defer` runs the Redis store's writes of a turn (see RedisStoreOptions).
 */
export async function createStreamStore(
  config: StoreConfig,
  logger: Logger,
  defer: (flush: () => void) => void,
): Promise<StreamStore> {
  if (config.streamStore === 'redis') {
    return RedisStore.connect({
      url: config.redisUrl,
      retentionMs: config.streamRetentionMs,
      leaseMs: config.instanceLeaseMs,
      logger,
      defer,
    });
  }
  return new MemoryStore({
    retentionMs: config.streamRetentionMs,
    maxStreams: config.memoryStoreMaxStreams,
    maxBytes: config.memoryStoreMaxBytes,
  });
}
