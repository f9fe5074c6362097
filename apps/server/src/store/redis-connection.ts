import { Redis, type RedisOptions } from 'ioredis';

const CONNECT_TIMEOUT_MS = 5000;

/** How every client of the store connects: bounded, so that a command fails rather than hangs. */
export const CLIENT_OPTIONS: RedisOptions = {
  lazyConnect: true,
  connectTimeout: CONNECT_TIMEOUT_MS,
  maxRetriesPerRequest: 3,
};

/** An error Redis itself answered (ioredis's ReplyError, which it exports untyped). */
function isReply(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ReplyError';
}

/** The database a `redis://host/<n>` URL names; config.ts has checked that it is a number. */
function databaseOf(url: URL): number {
  const path = url.pathname.replace(/^\//, '');
  return path === '' ? 0 : Number(path);
}

/** How many databases the server has, when it lets us ask (managed services often do not). */
async function databaseCount(probe: Redis): Promise<number | undefined> {
  try {
    const reply = (await probe.call('CONFIG', 'GET', 'databases')) as string[];
    const count = Number(reply[1]);
    return Number.isInteger(count) ? count : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Connects once, without retrying, to check that `REDIS_URL` can work, and throws an Error whose
 * one-line message names the cause: unreachable, refused credentials (Redis's WRONGPASS or NOAUTH,
 * which ioredis itself reports only as "Connection is closed."), or a database the server does
 * not have (ioredis would silently stay on database 0).
 */
export async function checkRedis(url: string): Promise<void> {
  const parsed = new URL(url);
  const where = parsed.host;
  const probe = new Redis(url, {
    ...CLIENT_OPTIONS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let refused: Error | undefined;
  probe.on('error', (error: Error) => {
    if (isReply(error)) refused ??= error;
  });
  try {
    try {
      await probe.connect();
      await probe.ping();
    } catch (error) {
      const reply = refused ?? (isReply(error) ? error : undefined);
      if (reply) {
        const reason = reply.message;
        throw new Error(`Redis at ${where} refused the credentials of REDIS_URL: ${reason}`);
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`Could not reach Redis at ${where}: ${reason}`);
    }
    const database = databaseOf(parsed);
    if (database === 0) return;
    try {
      await probe.select(database);
    } catch (error) {
      const count = await databaseCount(probe);
      const has = count === undefined ? '' : `: it has ${count} (0 to ${count - 1})`;
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `REDIS_URL names database ${database}, which Redis at ${where} does not have${has} (${reason})`,
      );
    }
  } finally {
    probe.disconnect();
  }
}
