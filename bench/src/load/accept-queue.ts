/*
 * How many connections wait in a local listening socket's accept queue, read from /proc/net/tcp.
 *
 * A client's connection is established once the kernel has it, long before the server's event
 * loop accepts it; and a busy Node server accepts one connection per turn of its loop. Gated
 * streams released while hundreds still wait there would start one per turn, seconds late, and
 * the scenario would measure that queue instead of streams running together.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

const LISTEN = '0A';

/**
 * The accept queue of the socket listening on `port`, from the text of /proc/net/tcp or
 * /proc/net/tcp6; undefined when no such socket is listed.
 */
export function acceptQueueIn(procNetTcp: string, port: number): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const line of procNetTcp.split('\n').slice(1)) {
    const [, local, , state, queues] = line.trim().split(/\s+/);
    if (state !== LISTEN || !local?.endsWith(`:${hexPort}`) || queues === undefined) continue;
    // For a listening socket, rx_queue is the number of connections not yet accepted.
    const received = queues.split(':')[1];
    return received === undefined ? undefined : Number.parseInt(received, 16);
  }
  return undefined;
}

async function acceptQueue(port: number): Promise<number | undefined> {
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const queued = acceptQueueIn(text, port);
    if (queued !== undefined) return queued;
  }
  return undefined;
}

/**
 * Resolves once the server on `port` has accepted every connection made to it, or after
 * `timeoutMs`. Where /proc/net/tcp cannot be read (not Linux) it resolves at once.
 */
export async function acceptQueueDrained(port: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const queued = await acceptQueue(port);
    if (queued === undefined || queued === 0) return;
    await sleep(10);
  }
}
