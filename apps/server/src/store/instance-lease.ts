import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const LEASE_KEY_PREFIX = 'gpt-stream:instance:';

export function leaseKeyOf(instanceId: string): string {
  return `${LEASE_KEY_PREFIX}${instanceId}`;
}

/** Renewals per lease time: two can fail (or be late) before the lease runs out. */
const RENEWALS_PER_LEASE = 3;

/**
 * This instance's claim, in Redis, that it is alive and generating its streams: one key,
 * `gpt-stream:instance:<id>`, set with a time to live of `ttlMs` and set again every third of it.
 * Each stream names its owner in its `start` entry; a reader anywhere that finds the owner's key
 * gone ends the stream with `instance_lost` (see END_IF_OWNER_LOST). A renewal that finds the
 * key gone means Redis lost it (emptied, restarted) or this instance stalled past its lease:
 * `onLapsed` then has the streams checked and written back.
 */
export class InstanceLease {
  readonly id = randomUUID();
  readonly key = leaseKeyOf(this.id);
  readonly #redis: Redis;
  readonly #ttlMs: number;
  readonly #onLapsed: () => void;
  #timer: NodeJS.Timeout | undefined;

  constructor(redis: Redis, ttlMs: number, onLapsed: () => void) {
    this.#redis = redis;
    this.#ttlMs = ttlMs;
    this.#onLapsed = onLapsed;
  }

  /** How often a reader waiting on a silent stream looks whether its owner still holds its lease. */
  get checkEveryMs(): number {
    return Math.ceil(this.#ttlMs / RENEWALS_PER_LEASE);
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  async take(): Promise<void> {
    await this.#redis.set(this.key, '1', 'PX', this.#ttlMs);
    this.#timer = setInterval(() => this.renew(), this.checkEveryMs);
    this.#timer.unref();
  }

  /** Sets the key again; failures are left to the next renewal (the connection logs them). */
  renew(): void {
    this.#redis
      .call('SET', this.key, '1', 'PX', String(this.#ttlMs), 'GET')
      .then((previous) => {
        if (previous === null) this.#onLapsed();
      })
      .catch(() => undefined);
  }

  /** Gives the lease up: after a clean shutdown every stream of this instance has ended. */
  async release(): Promise<void> {
    clearInterval(this.#timer);
    await this.#redis.del(this.key);
  }
}
