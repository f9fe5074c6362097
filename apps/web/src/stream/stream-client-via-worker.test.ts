import { afterAll, expect } from 'vitest';
import { inThreadStreamWorker } from '../test-support/in-thread-stream-worker.ts';
import { joinText, suite } from '../test-support/stream-client-suite.ts';
import { createWorkerFetch } from './worker-fetch.ts';

// Every test of the client once more, each request made by the stream worker's code with the
// test's fake server, and each body condensed as the page condenses it: replays, cuts, resumes,
// aborts, heartbeats and errors must come out exactly as they do from the bytes as sent.
const workers: ReturnType<typeof inThreadStreamWorker>[] = [];
suite.options = (fetch) => {
  const worker = inThreadStreamWorker({ fetch, ready: 'running' });
  workers.push(worker);
  return { viaWorker: createWorkerFetch(() => worker.worker) };
};
suite.events = joinText;
await import('./stream-client.test.ts');

afterAll(() => {
  // The suite did go through the worker: its requests, and the bodies it read.
  const received = workers.flatMap((worker) => worker.received);
  const answered = workers.flatMap((worker) => worker.answered);
  expect(received.filter((message) => 'request' in message).length).toBeGreaterThan(50);
  expect(answered.filter((message) => 'bytes' in message).length).toBeGreaterThan(50);
});
