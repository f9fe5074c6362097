import { API_PATHS, ApiErrorBodySchema } from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createBuiltInModels, type ModelRegistry } from './models/registry.ts';
import { activeStreams, postChat, startTestServer, type TestServer } from './test-server.ts';

let server: TestServer;

afterEach(async () => {
  await server.close();
});

const SECRET = 'connection to postgres://admin:hunter2@10.0.0.5 refused';

/** A registry whose lookups fail the way a broken dependency does. */
function brokenRegistry(): ModelRegistry {
  const working = createBuiltInModels({ mockDelayMs: 0 });
  return {
    defaultModel: working.defaultModel,
    get() {
      throw new Error(SECRET);
    },
    list() {
      throw new TypeError(SECRET);
    },
  };
}

async function expectGenericFailure(response: Response) {
  expect(response.status).toBe(500);
  const raw = await response.text();
  expect(ApiErrorBodySchema.parse(JSON.parse(raw))).toEqual({
    error: { code: 'internal_error', message: 'Something went wrong on the server.' },
  });
  expect(raw).not.toContain('hunter2');
  expect(raw).not.toMatch(/Error|\bat .*:\d+/);
}

describe('an internal failure', () => {
  it('is answered with a generic JSON 500; the details go to the log only', async () => {
    server = await startTestServer({ registry: brokenRegistry() });
    await expectGenericFailure(await fetch(`${server.url}${API_PATHS.models}`));
    await expectGenericFailure(await postChat(server, { prompt: 'Hi' }));
    expect(await activeStreams(server)).toBe(0);

    const failures = server.logs.filter(({ msg }) => msg === 'request failed');
    expect(failures).toHaveLength(2);
    for (const failure of failures) {
      expect(failure).toMatchObject({ level: 'error', err: { message: SECRET } });
      expect(String((failure.err as { stack: string }).stack)).toMatch(/\bat .*:\d+/);
    }
  });
});
