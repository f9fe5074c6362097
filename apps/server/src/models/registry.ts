import type { ModelList } from '@gpt-stream/protocol';
import { createEchoModel } from './echo.ts';
import { createMockModel } from './mock.ts';
import type { Model } from './model.ts';

export interface ModelRegistry {
  readonly defaultModel: string;
  get(id: string): Model | undefined;
  list(): ModelList;
}

export function createModelRegistry(models: readonly Model[], defaultModel: string): ModelRegistry {
  const byId = new Map(models.map((model) => [model.id, model]));
  if (byId.size !== models.length) throw new Error('model ids must be unique');
  if (!byId.has(defaultModel)) throw new Error(`default model "${defaultModel}" is not registered`);
  const list: ModelList = {
    defaultModel,
    models: models.map(({ id, description }) => ({ id, description })),
  };
  return { defaultModel, get: (id) => byId.get(id), list: () => list };
}

/** The models every installation has: no key, no network. */
export function createBuiltInModels({ mockDelayMs }: { mockDelayMs: number }): ModelRegistry {
  return createModelRegistry(
    [createMockModel({ delayMs: mockDelayMs }), createEchoModel({ delayMs: mockDelayMs })],
    'mock',
  );
}
