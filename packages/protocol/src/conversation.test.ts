import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseChatRequest } from './chat-request.ts';
import {
  type ChatMessage,
  ConversationSchema,
  conversationChars,
  lastUserMessage,
  MAX_MESSAGES_LIMIT,
} from './conversation.ts';

/** Text that a careless validator or transport would change: every one must arrive as it is. */
const TRICKY = [
  '',
  ' ',
  '  leading spaces',
  'trailing spaces  ',
  'CRLF\r\nline',
  'lone CR\r',
  '\n\n\n',
  '\t\ttabs',
  '\uFEFFa leading BOM',
  'emoji 👩‍👩‍👧 🇩🇪 😀',
  '你好，世界',
  'data: x\n\nevent: done',
  '{"role":"system","content":"not a message"}',
  '\u0000 NUL and \u001f controls',
  '\uD800 a lone surrogate',
];

/** Any UTF-16 string, lone surrogates included, with the tricky ones often. */
const anyText = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) }),
);

/** The last user message: anything, as long as something in it is not whitespace. */
const question = anyText.filter((text) => text.trim().length > 0);

const turn = fc.record(
  { role: fc.constantFrom('user', 'assistant'), content: anyText },
  { noNullPrototype: true },
);

/** Every valid conversation: an optional system message, any turns, a user question last. */
const conversation: fc.Arbitrary<ChatMessage[]> = fc
  .tuple(
    fc.option(
      anyText.map((content) => ({ role: 'system' as const, content })),
      { nil: undefined },
    ),
    fc.array(turn, { maxLength: 8 }),
    question,
  )
  .map(([system, turns, content]) => [
    ...(system ? [system] : []),
    ...turns,
    { role: 'user' as const, content },
  ]);

describe('ConversationSchema', () => {
  it('keeps any valid conversation exactly, and so does JSON on the way', () => {
    fc.assert(
      fc.property(conversation, (messages) => {
        expect(ConversationSchema.parse(messages)).toStrictEqual(messages);
        const sent = JSON.parse(JSON.stringify({ messages })) as unknown;
        expect(parseChatRequest(sent)).toStrictEqual({ ok: true, value: { messages } });
      }),
    );
  });

  it('accepts a system message first, empty assistant turns, and one user message alone', () => {
    for (const messages of [
      [{ role: 'user', content: 'Hi' }],
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: '' },
        { role: 'user', content: 'Still there?' },
      ],
      [
        { role: 'user', content: 'one' },
        { role: 'user', content: 'two in a row' },
      ],
    ]) {
      expect(ConversationSchema.safeParse(messages).success).toBe(true);
    }
  });

  it('holds at most MAX_MESSAGES_LIMIT messages', () => {
    const at = Array.from({ length: MAX_MESSAGES_LIMIT }, () => ({ role: 'user', content: 'x' }));
    expect(ConversationSchema.safeParse(at).success).toBe(true);
    const result = ConversationSchema.safeParse([...at, { role: 'user', content: 'x' }]);
    expect(result.error?.issues.map(({ message }) => message)).toEqual([
      `messages must hold at most ${MAX_MESSAGES_LIMIT} messages`,
    ]);
  });
});

type Mutation = {
  name: string;
  /** Which messages it can break, given the conversation's length. */
  indices: (length: number) => number[];
  apply: (message: ChatMessage) => unknown;
};

const everyIndex = (length: number) => Array.from({ length }, (_, index) => index);

/** Each breaks one message; the error must name that message's index and no other. */
const MUTATIONS: Mutation[] = [
  {
    name: 'an unknown role',
    indices: everyIndex,
    apply: (message) => ({ ...message, role: 'bot' }),
  },
  {
    name: 'a tool role',
    indices: everyIndex,
    apply: (message) => ({ ...message, role: 'tool' }),
  },
  {
    name: 'a role in capitals',
    indices: everyIndex,
    apply: (message) => ({ ...message, role: message.role.toUpperCase() }),
  },
  {
    name: 'no role',
    indices: everyIndex,
    apply: ({ content }) => ({ content }),
  },
  {
    name: 'a system message after the first',
    indices: (length) => everyIndex(length).slice(1),
    apply: (message) => ({ ...message, role: 'system' }),
  },
  {
    name: 'numeric content',
    indices: everyIndex,
    apply: (message) => ({ ...message, content: 42 }),
  },
  {
    name: 'null content',
    indices: everyIndex,
    apply: (message) => ({ ...message, content: null }),
  },
  {
    name: "OpenAI's content parts instead of a string",
    indices: everyIndex,
    apply: (message) => ({ ...message, content: [{ type: 'text', text: message.content }] }),
  },
  {
    name: 'no content',
    indices: everyIndex,
    apply: ({ role }) => ({ role }),
  },
  {
    name: 'an unknown key',
    indices: everyIndex,
    apply: (message) => ({ ...message, name: 'alice' }),
  },
  {
    name: 'a string instead of a message',
    indices: everyIndex,
    apply: (message) => message.content,
  },
  {
    name: 'null instead of a message',
    indices: everyIndex,
    apply: () => null,
  },
  {
    name: 'an array instead of a message',
    indices: everyIndex,
    apply: (message) => [message.role, message.content],
  },
  {
    name: 'an assistant message last',
    indices: (length) => [length - 1],
    apply: (message) => ({ ...message, role: 'assistant' }),
  },
  {
    name: 'a blank last message',
    indices: (length) => [length - 1],
    apply: (message) => ({ ...message, content: ' \r\n\t\uFEFF ' }),
  },
];

describe('a broken message', () => {
  it.each(MUTATIONS)('($name) is rejected, naming its index and only its index', (mutation) => {
    fc.assert(
      fc.property(
        conversation
          .filter((messages) => mutation.indices(messages.length).length > 0)
          .chain((messages) =>
            fc.tuple(fc.constant(messages), fc.constantFrom(...mutation.indices(messages.length))),
          ),
        ([messages, index]) => {
          const broken: unknown[] = [...messages];
          broken[index] = mutation.apply(messages[index] as ChatMessage);
          const result = parseChatRequest({ messages: broken });
          expect(result.ok).toBe(false);
          const message = result.ok ? '' : result.message;
          expect(message).toContain(`messages[${index}]: `);
          const named = [...message.matchAll(/messages\[(\d+)\]/g)].map((match) => match[1]);
          expect(new Set(named)).toEqual(new Set([String(index)]));
        },
      ),
    );
  });
});

describe('conversationChars', () => {
  it('adds up every message in UTF-16 code units, roles not counted', () => {
    expect(
      conversationChars([
        { role: 'system', content: 'abc' },
        { role: 'user', content: '😀' },
        { role: 'assistant', content: '' },
        { role: 'user', content: 'é\r\n' },
      ]),
    ).toBe(3 + 2 + 0 + 3);
  });
});

describe('lastUserMessage', () => {
  it('is the content of the last user message, exactly', () => {
    expect(
      lastUserMessage([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'answer' },
        { role: 'user', content: '  second\r\n' },
      ]),
    ).toBe('  second\r\n');
  });

  it('is the user message of a valid conversation for any valid conversation', () => {
    fc.assert(
      fc.property(conversation, (messages) => {
        expect(lastUserMessage(messages)).toBe(messages.at(-1)?.content);
      }),
    );
  });
});
