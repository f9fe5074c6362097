import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { acceptQueueDrained, acceptQueueIn } from './accept-queue.ts';

const SAMPLE = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:8573 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3241996 1 0 100 0 0 10 0
   1: 0100007F:1F90 00000000:0000 0A 00000000:000000C8 00:00000000 00000000     0        0 3258305 1 0 100 0 0 10 0
   2: 0100007F:1F90 0100007F:D2F0 01 00000000:000000CE 00:00000000 00000000     0        0 3258306 1 0 20 4 30 10 -1
`;

describe('acceptQueueIn', () => {
  it("reads a listening socket's queue by port, in hex", () => {
    expect(acceptQueueIn(SAMPLE, 0x1f90)).toBe(200);
    expect(acceptQueueIn(SAMPLE, 0x8573)).toBe(0);
  });

  it('ignores connected sockets and ports nobody listens on', () => {
    const connectedOnly = SAMPLE.split('\n')
      .filter((line) => !line.includes(' 0A '))
      .join('\n');
    expect(acceptQueueIn(connectedOnly, 0x1f90)).toBeUndefined();
    expect(acceptQueueIn(SAMPLE, 8081)).toBeUndefined();
  });
});

const onLinux = (() => {
  try {
    readFileSync('/proc/net/tcp');
    return true;
  } catch {
    return false;
  }
})();

/** Blocks this thread, so that its event loop accepts nothing meanwhile. */
function block(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe.runIf(onLinux)('on this machine', () => {
  it('sees connections the event loop has not accepted yet, then waits until it has', async () => {
    const server = createServer();
    const accepted: Socket[] = [];
    server.on('connection', (socket) => accepted.push(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const clients = Array.from({ length: 5 }, () => connect(port, '127.0.0.1'));
    try {
      // net.connect() connects on the next tick: after those ticks, and before the event loop
      // turns again, the handshakes complete in the kernel while this thread cannot accept them.
      await new Promise((resolve) => process.nextTick(resolve));
      let queued: number | undefined;
      for (let attempt = 0; attempt < 50 && queued !== 5; attempt++) {
        block(10);
        queued = acceptQueueIn(readFileSync('/proc/net/tcp', 'utf8'), port);
      }
      expect(queued).toBe(5);
      expect(accepted).toHaveLength(0);

      await acceptQueueDrained(port, 5000);
      expect(accepted).toHaveLength(5);
    } finally {
      for (const socket of [...clients, ...accepted]) socket.destroy();
      server.close();
    }
  });
});
