import { API_PATHS, type ChatMessage, chatStreamPath } from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  postChat,
  type ReceivedStream,
  readStream,
  readUntilCut,
  sequencesOf,
  startTestServer,
  streamIdOf,
  type TestServer,
  textOf,
  thinkingOf,
} from '../test-support/server.ts';
import { writeMockAnswer } from './mock-answer.ts';
import { writeMockThinking } from './mock-thinking.ts';
import { countTokens } from './tokenize.ts';

let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const QUESTION = 'How should a chat page show a model thinking?';
const MESSAGES: ChatMessage[] = [{ role: 'user', content: QUESTION }];

function typesOf({ events }: ReceivedStream): string[] {
  return events.map(({ event }) => event.type);
}

describe('the mock-reasoning model', () => {
  it('is offered with the built-in models', async () => {
    server = await startTestServer();
    const response = await fetch(`${server.url}${API_PATHS.models}`);
    const { models } = (await response.json()) as { models: { id: string }[] };
    expect(models.map(({ id }) => id)).toContain('mock-reasoning');
  });

  it('thinks, then answers, each exactly, with the thinking counted in done', async () => {
    server = await startTestServer({ config: { mockDelayMs: 0 } });
    const received = await readStream(
      await postChat(server, { messages: MESSAGES, model: 'mock-reasoning' }),
    );
    const types = typesOf(received);
    const firstDelta = types.indexOf('delta');
    expect(types[0]).toBe('start');
    expect(types.slice(1, firstDelta).every((type) => type === 'reasoning')).toBe(true);
    expect(types.slice(firstDelta, -1).every((type) => type === 'delta')).toBe(true);
    expect(thinkingOf(received)).toBe(writeMockThinking(MESSAGES));
    expect(textOf(received)).toBe(writeMockAnswer(MESSAGES));
    const thought = countTokens(writeMockThinking(MESSAGES));
    expect(received.events.at(-1)?.event).toEqual({
      type: 'done',
      data: {
        finishReason: 'stop',
        usage: {
          promptTokens: countTokens(QUESTION),
          completionTokens: thought + countTokens(writeMockAnswer(MESSAGES)),
          reasoningTokens: thought,
        },
      },
    });
  });

  it('thinks live, at the pace of its tokens, before the first word of the answer', async () => {
    const delayMs = 4;
    server = await startTestServer({ config: { mockDelayMs: delayMs } });
    const response = await postChat(server, { messages: MESSAGES, model: 'mock-reasoning' });
    const arrivals: { type: string; at: number }[] = [];
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    for (let buffer = ''; ; ) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      for (const match of buffer.matchAll(/^event: (\w+)$/gm)) {
        arrivals.push({ type: match[1] as string, at: performance.now() });
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    }
    const firstThought = arrivals.find(({ type }) => type === 'reasoning');
    const firstWord = arrivals.find(({ type }) => type === 'delta');
    expect(firstThought && firstWord).toBeTruthy();
    // Honest margin: half the paced time of the thinking, on a machine shared with other tests.
    const thinkingMs = countTokens(writeMockThinking(MESSAGES)) * delayMs;
    expect((firstWord?.at ?? 0) - (firstThought?.at ?? 0)).toBeGreaterThan(thinkingMs / 2);
    // And it arrives in many writes, not as one burst at the end.
    const thoughts = arrivals.filter(({ type }) => type === 'reasoning');
    expect(new Set(thoughts.map(({ at }) => at)).size).toBeGreaterThan(10);
  });

  it('resumes a stream cut mid-thinking with the rest of the thinking and the answer, nothing twice', async () => {
    server = await startTestServer({ config: { mockDelayMs: 5 } });
    const cut = await readUntilCut(`${server.url}${API_PATHS.chat}`, {
      body: { messages: MESSAGES, model: 'mock-reasoning' },
      events: 4,
    });
    expect(typesOf(cut)).toEqual(['start', 'reasoning', 'reasoning', 'reasoning']);
    const rest = await readStream(
      await fetch(`${server.url}${chatStreamPath(streamIdOf(cut), cut.lastId)}`),
    );
    const whole: ReceivedStream = { events: [...cut.events, ...rest.events], comments: [] };
    expect(sequencesOf(whole)).toEqual(whole.events.map((_, index) => index));
    expect(thinkingOf(whole)).toBe(writeMockThinking(MESSAGES));
    expect(textOf(whole)).toBe(writeMockAnswer(MESSAGES));
  });
});
