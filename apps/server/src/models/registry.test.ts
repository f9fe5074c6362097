import { describe, expect, it } from 'vitest';
import { BUILT_IN_MODEL_IDS } from './built-in-ids.ts';
import { createBuiltInModels } from './registry.ts';

describe('the built-in models', () => {
  it('are the ones configuration keeps upstream models from naming', () => {
    const ids = createBuiltInModels({ mockDelayMs: 0 })
      .list()
      .models.map(({ id }) => id);
    expect(ids.toSorted()).toEqual([...BUILT_IN_MODEL_IDS].toSorted());
  });
});
