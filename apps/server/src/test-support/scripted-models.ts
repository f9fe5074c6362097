/** Test support: small models whose behaviour the observability and security tests count on. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Model } from '../models/model.ts';

/** Yields `a`, `b`, `c` and finishes. */
export const steadyModel: Model = {
  id: 'steady',
  description: 'three tokens',
  async *generate() {
    yield* ['a', 'b', 'c'];
    return { finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 3 } };
  },
};

/** Yields one token, then fails with a message that must never reach a reader. */
export const brokenModel: Model = {
  id: 'broken',
  description: 'fails after one token',
  async *generate() {
    yield 'x';
    throw new Error('secret upstream key sk-123 at /srv/models/broken.ts:9');
  },
};

/** Yields a token every 20 ms until its reader leaves. */
export const endlessModel: Model = {
  id: 'endless',
  description: 'never finishes on its own',
  async *generate({ signal }) {
    for (;;) {
      yield 'tick ';
      await sleep(20, undefined, { signal });
    }
  },
};

export const testModels = [steadyModel, brokenModel, endlessModel];
