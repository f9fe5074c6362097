import type { ModelList } from '@gpt-stream/protocol';
import { createEchoModel } from './echo.ts';
import { createMockModel, createMockReasoningModel } from './mock.ts';
import type { Model } from './model.ts';
import { createOpenAIModels, type OpenAIUpstreamConfig } from './openai.ts';
import type { ThinkTagMode } from './think-tags.ts';

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

function builtInModels({ mockDelayMs }: { mockDelayMs: number }): Model[] {
  return [
    createMockModel({ delayMs: mockDelayMs }),
    createMockReasoningModel({ delayMs: mockDelayMs }),
    createEchoModel({ delayMs: mockDelayMs }),
  ];
}

/** The models every installation has: no key, no network. */
export function createBuiltInModels({ mockDelayMs }: { mockDelayMs: number }): ModelRegistry {
  return createModelRegistry(builtInModels({ mockDelayMs }), 'mock');
}

/** The settings the models are made from; the server's configuration has them all. */
export interface ModelsConfig {
  mockDelayMs: number;
  openai: OpenAIUpstreamConfig | undefined;
  upstreamIdleTimeoutMs: number;
  upstreamThinkTags: ThinkTagMode;
}

/**
 * The built-in models, plus the upstream's when one is configured. A configured upstream model is
 * the default: whoever set one up wants the page to use it.
 */
export function createModels(config: ModelsConfig): ModelRegistry {
  const upstream = config.openai
    ? createOpenAIModels(config.openai, {
        idleTimeoutMs: config.upstreamIdleTimeoutMs,
        thinkTags: config.upstreamThinkTags,
      })
    : [];
  return createModelRegistry([...upstream, ...builtInModels(config)], upstream[0]?.id ?? 'mock');
}
