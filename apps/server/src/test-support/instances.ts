/** Test support: server processes sharing one Redis, as behind a load balancer. */
import { API_PATHS, type Health, HealthSchema } from '@gpt-stream/protocol';
import { listening, type Running, runServer } from './process.ts';

export interface Instance extends Running {
  url: string;
}

/** Starts `count` instances on `redisUrl`, each with `env` on top of the store settings. */
export async function redisInstances(
  redisUrl: string,
  count: number,
  env: Record<string, string> = {},
): Promise<Instance[]> {
  const settings = { STREAM_STORE: 'redis', REDIS_URL: redisUrl, MOCK_DELAY_MS: '10', ...env };
  const running = Array.from({ length: count }, () => runServer(settings));
  return Promise.all(running.map(async (one) => ({ ...one, url: await listening(one) })));
}

export function startChat(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${url}${API_PATHS.chat}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

export async function healthOf(url: string): Promise<{ status: number; body: Health }> {
  const response = await fetch(`${url}${API_PATHS.health}`);
  return { status: response.status, body: HealthSchema.parse(await response.json()) };
}
