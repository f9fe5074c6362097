import { type IncrementResponse, MemoryStore, type Options, type Store } from 'express-rate-limit';
import { RedisStore as RedisCountStore, type RedisReply } from 'rate-limit-redis';
import type { Logger } from '../observability/logger.ts';
import { RedisStore } from '../store/redis-store.ts';
import type { StreamStore } from '../store/stream-store.ts';

const KEY_PREFIX = 'gpt-stream:rate:';

export interface SharedCountOptions {
  sendCommand: (...args: string[]) => Promise<RedisReply>;
  /** Whether Redis is connected just now; while it is not, the local count answers at once. */
  reachable: () => boolean;
  logger: Logger;
}

/**
 * The per-address count of stream starts, shared by every instance through Redis
 * (rate-limit-redis), falling back to this instance's own count while Redis fails: a limit that
 * holds, never an open door and never a failed request. The local count is kept all along, so an
 * outage does not start every address from zero.
 */
export class SharedRateLimitStore implements Store {
  readonly localKeys = false;
  readonly prefix = KEY_PREFIX;
  readonly #shared: RedisCountStore;
  readonly #local = new MemoryStore();
  readonly #reachable: () => boolean;
  readonly #logger: Logger;
  #options: Options | undefined;
  /** Set while Redis fails; its scripts are loaded again before it counts again. */
  #degraded = false;

  constructor({ sendCommand, reachable, logger }: SharedCountOptions) {
    this.#shared = new RedisCountStore({ sendCommand, prefix: KEY_PREFIX });
    this.#reachable = reachable;
    this.#logger = logger;
  }

  async init(options: Options): Promise<void> {
    this.#options = options;
    this.#local.init(options);
    await this.#shared.init(options).catch((error: unknown) => this.#degrade(error));
  }

  async increment(key: string): Promise<IncrementResponse> {
    const local = await this.#local.increment(key);
    if (!(await this.#usable())) return local;
    try {
      return await this.#shared.increment(key);
    } catch (error) {
      this.#degrade(error);
      return local;
    }
  }

  async decrement(key: string): Promise<void> {
    await this.#local.decrement(key);
    if (await this.#usable()) await this.#shared.decrement(key).catch((e) => this.#degrade(e));
  }

  async resetKey(key: string): Promise<void> {
    await this.#local.resetKey(key);
    if (await this.#usable()) await this.#shared.resetKey(key).catch((e) => this.#degrade(e));
  }

  shutdown(): void {
    this.#local.shutdown();
  }

  async #usable(): Promise<boolean> {
    if (!this.#reachable()) {
      this.#degrade(new Error('redis is out of reach'));
      return false;
    }
    if (!this.#degraded) return true;
    try {
      // A restarted Redis has forgotten the scripts; and a failed load would stick otherwise.
      if (this.#options) await this.#shared.init(this.#options);
      this.#degraded = false;
      this.#logger.info('rate limit: counting in Redis again');
      return true;
    } catch (error) {
      this.#degrade(error);
      return false;
    }
  }

  #degrade(error: unknown): void {
    if (this.#degraded) return;
    this.#degraded = true;
    this.#logger.warn(
      { err: error },
      'rate limit: Redis failed; counting stream starts on this instance alone until it answers',
    );
  }
}

/** With the Redis store, the start limit counts in the same Redis; otherwise in this process. */
export function sharedRateLimitStore(store: StreamStore, logger: Logger): Store | undefined {
  if (!(store instanceof RedisStore)) return undefined;
  return new SharedRateLimitStore({
    sendCommand: (command = '', ...args) => store.sendCommand(command, ...args),
    reachable: () => store.state().reachable,
    logger,
  });
}
