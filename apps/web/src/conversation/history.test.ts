import { conversationOf, parseChatRequest } from '@gpt-stream/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  historyRequest,
  type NextAnswer,
  SEND_THINKING_AS_HISTORY,
  toMessages,
} from './history.ts';
import { ANSWER_STATES, type Turn } from './thread.ts';

const thread: Turn[] = [
  { role: 'user', content: 'First question' },
  { role: 'assistant', content: '# Heading\n\n- a list\n', state: 'done' },
  { role: 'user', content: '  second, with spaces  ' },
  { role: 'assistant', content: 'stopped hal', state: 'stopped', streamId: 's2' },
];

describe('historyRequest', () => {
  it('sends the whole thread, answers exactly as they arrived, then the new prompt', () => {
    expect(historyRequest(thread, { type: 'send', prompt: 'Third' })).toEqual({
      keep: 4,
      messages: [
        { role: 'user', content: 'First question' },
        { role: 'assistant', content: '# Heading\n\n- a list\n' },
        { role: 'user', content: '  second, with spaces  ' },
        { role: 'assistant', content: 'stopped hal' },
        { role: 'user', content: 'Third' },
      ],
    });
  });

  it('starts a conversation from an empty thread', () => {
    expect(historyRequest([], { type: 'send', prompt: 'Hi' })).toEqual({
      keep: 0,
      messages: [{ role: 'user', content: 'Hi' }],
    });
  });

  it('regenerates the last answer with the history that produced it', () => {
    expect(historyRequest(thread, { type: 'regenerate' })).toEqual({
      keep: 3,
      messages: toMessages(thread.slice(0, 3)),
    });
  });

  it('edits the last prompt: the last exchange is replaced', () => {
    expect(historyRequest(thread, { type: 'edit', prompt: 'second, rephrased' })).toEqual({
      keep: 2,
      messages: [...toMessages(thread.slice(0, 2)), { role: 'user', content: 'second, rephrased' }],
    });
  });

  it('has nothing to regenerate or edit in an empty thread', () => {
    expect(historyRequest([], { type: 'regenerate' })).toBeNull();
    expect(historyRequest([], { type: 'edit', prompt: 'x' })).toBeNull();
    expect(historyRequest(thread.slice(0, 3), { type: 'regenerate' })).toBeNull();
  });

  it('keeps an empty answer, stopped before its first token, as a turn of the history', () => {
    const turns: Turn[] = [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: '', state: 'stopped' },
    ];
    expect(historyRequest(turns, { type: 'send', prompt: 'again' })?.messages).toEqual([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: '' },
      { role: 'user', content: 'again' },
    ]);
  });
});

/** Any text: lone surrogates, CR, NUL and JSON's specials included. */
const anyText = fc.string({ unit: 'binary', maxLength: 40 });
const prompt = anyText.filter((text) => text.trim() !== '');
const exchange = fc.tuple(
  prompt,
  anyText,
  fc.constantFrom(...ANSWER_STATES),
  fc.option(fc.string({ minLength: 1, maxLength: 8 }), { nil: undefined }),
);
const threads = fc.array(exchange, { maxLength: 12 }).map((exchanges) =>
  exchanges.flatMap(([question, answer, state, streamId]): Turn[] => [
    { role: 'user', content: question },
    { role: 'assistant', content: answer, state, ...(streamId ? { streamId } : {}) },
  ]),
);
const nextAnswers: fc.Arbitrary<NextAnswer> = fc.oneof(
  prompt.map((text) => ({ type: 'send' as const, prompt: text })),
  prompt.map((text) => ({ type: 'edit' as const, prompt: text })),
  fc.constant({ type: 'regenerate' as const }),
);

describe('the page and the server agree on the conversation', () => {
  it('for any thread, the messages the page sends are the ones the server reads', () => {
    fc.assert(
      fc.property(
        threads,
        nextAnswers,
        fc.constantFrom(undefined, 'echo'),
        (turns, next, model) => {
          const request = historyRequest(turns, next);
          if (!request) return;
          // What the page puts on the wire, read back as the server reads it.
          const body = JSON.parse(
            JSON.stringify({ messages: request.messages, ...(model ? { model } : {}) }),
          );
          const parsed = parseChatRequest(body);
          expect(parsed).toMatchObject({ ok: true });
          if (!parsed.ok) return;
          expect(conversationOf(parsed.value)).toEqual(request.messages);
          expect(request.messages.slice(0, request.keep)).toEqual(
            toMessages(turns.slice(0, request.keep)),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('thinking in the history', () => {
  const thought: Turn[] = [
    { role: 'user', content: 'Why?' },
    {
      role: 'assistant',
      content: 'Because.',
      state: 'done',
      reasoning: 'Let me think.',
      thoughtMs: 900,
    },
    { role: 'user', content: 'And?' },
  ];

  it('is not sent back by default: the answers go as they are, and nothing else', () => {
    expect(SEND_THINKING_AS_HISTORY).toBe(false);
    expect(historyRequest(thought, { type: 'send', prompt: 'More' })?.messages).toEqual([
      { role: 'user', content: 'Why?' },
      { role: 'assistant', content: 'Because.' },
      { role: 'user', content: 'And?' },
      { role: 'user', content: 'More' },
    ]);
  });

  it('goes back as a leading think block when asked for', () => {
    expect(toMessages(thought, { withThinking: true })[1]).toEqual({
      role: 'assistant',
      content: '<think>\nLet me think.\n</think>\n\nBecause.',
    });
  });
});
