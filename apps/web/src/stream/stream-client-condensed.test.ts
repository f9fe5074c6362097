import { afterAll, expect } from 'vitest';
import { inThreadCondenser } from '../test-support/in-thread-condenser.ts';
import { joinText, suite } from '../test-support/stream-client-suite.ts';
import { createBodyCondenser } from './condensing-body.ts';

// Every test of the client once more, each body condensed as the page condenses it: replays,
// cuts, resumes, heartbeats and errors must come out exactly as they do from the bytes as sent.
const fake = inThreadCondenser();
suite.options = { condense: createBodyCondenser(() => fake.worker) };
suite.events = joinText;
// The worker says it runs a task later.
await new Promise((resolve) => setTimeout(resolve, 0));
await import('./stream-client.test.ts');

afterAll(() => {
  // The suite did go through the worker.
  expect(fake.received.filter((message) => 'bytes' in message).length).toBeGreaterThan(50);
});
