/*
 * Writes the mock model's answer to a conversation: Markdown as real models write it (headings,
 * paragraphs with bold, italics and inline code, bulleted and numbered lists, now and then a fenced
 * code block or a table), chosen by a generator seeded from the whole conversation. The same
 * conversation always gets the same answer; another history, even under the same last question,
 * rarely does.
 */
import { type ChatMessage, lastUserMessage } from '@gpt-stream/protocol';

const OPENERS = [
  'Good question.',
  'Here is how I would think about it.',
  'Short answer: it depends on what you optimise for, but there is a sensible default.',
  'Let me walk through it step by step.',
  'There are a few moving parts here, so I will take them one at a time.',
];

const FOLLOW_UP_OPENERS = [
  'Good follow-up.',
  'Building on what we covered so far, here is the next layer.',
  'That connects to the earlier point, so let me extend it.',
  'Picking up where we left off:',
];

const HEADINGS = [
  'The short version',
  'How it works',
  'What to watch out for',
  'A sensible default',
  'Trade-offs',
  'Putting it together',
  'Why this matters',
  'Where to start',
  'Measuring it',
  'Common mistakes',
];

const SENTENCES = [
  'Start with the simplest version that works end to end, then *measure* before you optimise anything.',
  'Most of the latency people notice is the time to the **first token**, not the total time.',
  'Streaming the answer as it is generated makes a slow model feel fast, because reading starts at once.',
  'Server-Sent Events are a good fit here: one long HTTP response, plain `text/event-stream` frames, and no extra protocol to run.',
  'Keep the contract between the server and the page in **one place**, so that both sides change together.',
  'A connection can drop at any moment, so every stream should end with an explicit signal that it is complete.',
  'If the client disappears, stop generating right away; tokens nobody reads still cost money.',
  'Batch updates to the page once per animation frame instead of touching the DOM for every token.',
  'Treat model output as *untrusted text* and never insert it as HTML.',
  'Proxies and compression middleware like to buffer responses, which quietly turns a stream into a single burst.',
  'A heartbeat comment every few seconds keeps idle connections from being closed by load balancers.',
  'When `write()` returns false, wait for the `drain` event before producing more; otherwise memory grows with every slow reader.',
  'Validate the request **before** the stream starts, while you can still answer with a proper status code.',
  'Retries are useful for network failures, but a request the server rejected will fail the same way again.',
  'Measure with realistic prompts, since short prompts hide the costs that long ones expose.',
  'Logs with a stream id on every line make a single conversation easy to follow across services.',
  'It helps to write down what must be true when the work is done *before* writing any code.',
  'Small modules with one job each are easier to test, and much easier to replace later.',
  'The trade-off is mostly between simplicity today and flexibility later, and simplicity usually wins early on.',
  'Once the basics work, add one improvement at a time and check that each one actually helps.',
  'Edge cases such as empty input, very long input and unusual characters deserve their own tests.',
  'A good default covers most users; a documented setting covers the rest.',
  'Think about what the user sees while waiting, not only about the final result.',
  'Graceful shutdown matters: finish or clearly end what is in flight before the process exits.',
  'Send the whole conversation with each request, so the model answers with the earlier turns in view.',
  'Keep the history exactly as it was shown, `\\r\\n` and trailing spaces included, or the model sees a different thread.',
];

const LIST_ITEMS = [
  '**Latency:** show the first words as soon as they exist.',
  '**Reliability:** every stream ends with a clear `done` or `error`.',
  '**Safety:** render text as text, never as markup.',
  '**Cost:** stop the model when nobody is listening.',
  '**Memory:** respect backpressure from slow readers.',
  '**Operability:** expose health and metrics from day one.',
  '**Portability:** keep provider details behind one small interface.',
  '**Testability:** drive the real page in a real browser.',
];

const STEPS = [
  'Validate the request and reject anything malformed with a `400`.',
  'Open the stream and flush the headers at once.',
  'Write each token as its own event, waiting for `drain` when the socket is full.',
  'Send a heartbeat whenever the model goes quiet.',
  'Finish with exactly one `done` or `error` event.',
  'Stop the model as soon as the reader goes away.',
  'Log the stream id, the model and the outcome.',
];

const LIST_LEAD_INS = [
  'The main things to keep in mind:',
  'In practice that comes down to a few points:',
  'A quick checklist:',
];

const STEP_LEAD_INS = ['In order, the server does this:', 'The steps, one at a time:'];

const CODE_BLOCKS = [
  {
    lead: 'On the client, a request looks like this:',
    language: 'ts',
    code: [
      "const response = await fetch('/api/chat', {",
      "  method: 'POST',",
      "  headers: { 'Content-Type': 'application/json' },",
      '  body: JSON.stringify({ messages }),',
      '});',
      "if (!response.ok) throw new Error('The server said ' + response.status);",
    ],
  },
  {
    lead: 'You can watch the raw stream from a terminal:',
    language: 'bash',
    code: [
      'curl -N http://127.0.0.1:8080/api/chat \\',
      "  -H 'Content-Type: application/json' \\",
      '  -d \'{"messages": [{"role": "user", "content": "Hello"}]}\'',
    ],
  },
  {
    lead: 'Each event on the wire is one small JSON document:',
    language: 'json',
    code: ['{', '  "type": "delta",', '  "data": { "text": " tokens" }', '}'],
  },
  {
    lead: 'Behind nginx, turn buffering off for the stream:',
    language: 'nginx',
    code: [
      'location /api/ {',
      '    proxy_pass http://127.0.0.1:8080;',
      '    proxy_buffering off;',
      '    proxy_read_timeout 1h;',
      '}',
    ],
  },
  {
    lead: 'A model is little more than an async generator:',
    language: 'ts',
    code: [
      'async function* generate({ messages, signal }) {',
      '  for (const word of answerTo(messages)) {',
      '    signal.throwIfAborted();',
      '    yield word;',
      '  }',
      "  return { finishReason: 'stop' };",
      '}',
    ],
  },
];

const TABLES = [
  {
    lead: 'How the usual options compare:',
    rows: [
      ['Approach', 'Latency', 'Complexity', 'Works through proxies'],
      ['Polling', 'High', 'Low', 'Yes'],
      ['Server-Sent Events', 'Low', 'Low', 'Yes, with buffering off'],
      ['WebSockets', 'Low', 'Medium', 'Usually'],
    ],
  },
  {
    lead: 'Where the time goes, roughly:',
    rows: [
      ['Stage', 'Typical share', 'What helps'],
      ['Queueing', '5%', 'More capacity'],
      ['First token', '60%', 'A smaller model, a shorter prompt'],
      ['Streaming', '35%', 'Nothing: the reader is already reading'],
    ],
  },
];

const CLOSERS = [
  'I hope that helps; happy to go deeper on any of these points.',
  'If you share more about your constraints, I can make this more specific.',
  'That should give you a solid starting point.',
  'Try the simplest option first and see how far it takes you.',
];

/** FNV-1a: a stable 32-bit hash, so the same conversation seeds the same answer everywhere. */
export function hashConversation(messages: readonly ChatMessage[]): number {
  let value = 0x811c9dc5;
  const mix = (code: number) => {
    value ^= code;
    value = Math.imul(value, 0x01000193);
  };
  for (const { role, content } of messages) {
    // The role and the length first: moving text from one turn to the next is another history.
    for (let index = 0; index < role.length; index++) mix(role.charCodeAt(index));
    mix(content.length);
    for (let index = 0; index < content.length; index++) mix(content.charCodeAt(index));
  }
  return value >>> 0;
}

/** mulberry32: tiny, fast and good enough to pick sentences. */
export function createRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** Picks `count` different items, keeping their order of appearance random. */
export function sample<T>(items: readonly T[], count: number, random: () => number): T[] {
  const pool = [...items];
  const chosen: T[] = [];
  while (chosen.length < count && pool.length > 0) {
    chosen.push(pool.splice(Math.floor(random() * pool.length), 1)[0] as T);
  }
  return chosen;
}

export function between(min: number, max: number, random: () => number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** The first words of a message, on one line, to show the answer is about it. */
export function topicOf(text: string): string {
  const words = text.trim().split(/\s+/);
  const topic = words.slice(0, 8).join(' ');
  return words.length > 8 ? `${topic}...` : topic;
}

function opening(messages: readonly ChatMessage[], random: () => number): string {
  const question = `"${topicOf(lastUserMessage(messages))}"`;
  const earlier = messages.filter(({ role }) => role === 'user').at(-2);
  if (!earlier) return `${pick(OPENERS, random)} You asked about ${question}.`;
  return `${pick(FOLLOW_UP_OPENERS, random)} You asked about ${question}, following on from "${topicOf(earlier.content)}".`;
}

function bulletList(random: () => number): string {
  const items = sample(LIST_ITEMS, between(3, 4, random), random);
  return `${pick(LIST_LEAD_INS, random)}\n\n${items.map((item) => `- ${item}`).join('\n')}`;
}

/** Steps keep their order: a numbered list whose step 3 must come first reads as nonsense. */
function numberedList(random: () => number): string {
  const steps = sample(STEPS, between(3, 5, random), random).sort(
    (a, b) => STEPS.indexOf(a) - STEPS.indexOf(b),
  );
  return `${pick(STEP_LEAD_INS, random)}\n\n${steps.map((step, index) => `${index + 1}. ${step}`).join('\n')}`;
}

function codeBlock(random: () => number): string {
  const { lead, language, code } = pick(CODE_BLOCKS, random);
  return `${lead}\n\n\`\`\`${language}\n${code.join('\n')}\n\`\`\``;
}

function table(random: () => number): string {
  const { lead, rows } = pick(TABLES, random);
  const [header = [], ...body] = rows;
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [
    `${lead}\n`,
    line(header),
    line(header.map(() => '---')),
    ...body.map((cells) => line(cells)),
  ].join('\n');
}

/**
 * The answer's own words are plain ASCII, quotes and ellipsis included. One character outside
 * Latin-1 makes V8 store the whole answer as UTF-16, and every token cut from it too, which
 * doubles the cost of building and writing each frame; an upstream's tokens are decoded one by
 * one, and only those that need UTF-16 get it. A question that needs it still gets it here.
 */
export function writeMockAnswer(messages: readonly ChatMessage[]): string {
  const random = createRandom(hashConversation(messages));
  const sectionCount = between(2, 3, random);
  const headings = sample(HEADINGS, sectionCount, random);
  const sentences = sample(SENTENCES, sectionCount * 5, random);
  const paragraph = () => sentences.splice(0, between(2, 3, random)).join(' ');
  // Every answer has one list; code and tables come now and then, as in a real model's answers.
  const extras = [random() < 0.5 ? bulletList : numberedList];
  if (random() < 0.4) extras.push(codeBlock);
  if (random() < 0.25) extras.push(table);

  const blocks = [opening(messages, random)];
  headings.forEach((heading, index) => {
    blocks.push(`${index === 0 || random() < 0.5 ? '##' : '###'} ${heading}`, paragraph());
    const extra = extras[index];
    if (extra) blocks.push(extra(random));
    if (random() < 0.3) blocks.push(paragraph());
  });
  // More extras than sections: the rest go into the last one.
  for (const extra of extras.slice(headings.length)) blocks.push(extra(random));
  blocks.push(`**In short:** ${pick(CLOSERS, random)}`);
  return blocks.join('\n\n');
}
