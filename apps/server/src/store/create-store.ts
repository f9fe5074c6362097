import type { Config } from '../config/config.ts';
import type { Logger } from '../observability/logger.ts';
import { sharedFlushScheduler } from '../streaming/flush-scheduler.ts';
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

/** The store `STREAM_STORE` names; rejects with a readable message when Redis is out of reach. */
export async function createStreamStore(config: StoreConfig, logger: Logger): Promise<StreamStore> {
  if (config.streamStore === 'redis') {
    return RedisStore.connect({
      url: config.redisUrl,
      retentionMs: config.streamRetentionMs,
      leaseMs: config.instanceLeaseMs,
      logger,
      // After the readers' writes of the turn: the generating instance's own readers read from
      // memory and need not wait while the store encodes and sends the same events.
      defer: (flush) => void sharedFlushScheduler.flushed().then(flush),
    });
  }
  return new MemoryStore({
    retentionMs: config.streamRetentionMs,
    maxStreams: config.memoryStoreMaxStreams,
    maxBytes: config.memoryStoreMaxBytes,
  });
}
