import { API_PATHS, type ModelList } from '@gpt-stream/protocol';
import { describe, expect, it, vi } from 'vitest';
import { loadModels } from './models.ts';

const list: ModelList = {
  defaultModel: 'mock',
  models: [
    { id: 'mock', description: 'Deterministic sample text' },
    { id: 'echo', description: 'Streams the prompt back' },
  ],
};

describe('loadModels', () => {
  it('reads the model list from the models path', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(async () => Response.json(list));

    await expect(loadModels(fetch)).resolves.toEqual(list);
    expect(fetch.mock.calls[0]?.[0]).toBe(API_PATHS.models);
  });

  it('rejects an error status, so the page keeps its default model', async () => {
    const fetch = async () => new Response('Not found', { status: 404 });

    await expect(loadModels(fetch)).rejects.toThrow('404');
  });

  it('rejects a body of the wrong shape', async () => {
    const fetch = async () => Response.json({ models: 'mock' });

    await expect(loadModels(fetch)).rejects.toThrow('unexpected shape');
  });
});
