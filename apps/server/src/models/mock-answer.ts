/*
 * Writes the mock model's answer: a few paragraphs and sometimes a list, chosen by a generator
 * seeded from the prompt, so a prompt always gets the same answer and two prompts rarely do.
 */

const OPENERS = [
  'Good question.',
  'Here is how I would think about it.',
  'Short answer: it depends on what you optimise for, but there is a sensible default.',
  'Let me walk through it step by step.',
  'There are a few moving parts here, so I will take them one at a time.',
];

const SENTENCES = [
  'Start with the simplest version that works end to end, then measure before you optimise anything.',
  'Most of the latency people notice is the time to the first token, not the total time.',
  'Streaming the answer as it is generated makes a slow model feel fast, because reading starts at once.',
  'Server-Sent Events are a good fit here: one long HTTP response, plain text frames, and no extra protocol to run.',
  'Keep the contract between the server and the page in one place, so that both sides change together.',
  'A connection can drop at any moment, so every stream should end with an explicit signal that it is complete.',
  'If the client disappears, stop generating right away; tokens nobody reads still cost money.',
  'Batch updates to the page once per animation frame instead of touching the DOM for every token.',
  'Treat model output as untrusted text and never insert it as HTML.',
  'Proxies and compression middleware like to buffer responses, which quietly turns a stream into a single burst.',
  'A heartbeat comment every few seconds keeps idle connections from being closed by load balancers.',
  'When a write returns false, wait for the socket to drain before producing more; otherwise memory grows with every slow reader.',
  'Validate the request before the stream starts, while you can still answer with a proper status code.',
  'Retries are useful for network failures, but a request the server rejected will fail the same way again.',
  'Measure with realistic prompts, since short prompts hide the costs that long ones expose.',
  'Logs with a stream id on every line make a single conversation easy to follow across services.',
  'It helps to write down what must be true when the work is done before writing any code.',
  'Small modules with one job each are easier to test, and much easier to replace later.',
  'The trade-off is mostly between simplicity today and flexibility later, and simplicity usually wins early on.',
  'Once the basics work, add one improvement at a time and check that each one actually helps.',
  'Edge cases such as empty input, very long input and unusual characters deserve their own tests.',
  'A good default covers most users; a documented setting covers the rest.',
  'Think about what the user sees while waiting, not only about the final result.',
  'Graceful shutdown matters: finish or clearly end what is in flight before the process exits.',
];

const LIST_ITEMS = [
  'Latency: show the first words as soon as they exist.',
  'Reliability: every stream ends with a clear done or error.',
  'Safety: render text as text, never as markup.',
  'Cost: stop the model when nobody is listening.',
  'Memory: respect backpressure from slow readers.',
  'Operability: expose health and metrics from day one.',
  'Portability: keep provider details behind one small interface.',
  'Testability: drive the real page in a real browser.',
];

const CLOSERS = [
  'I hope that helps; happy to go deeper on any of these points.',
  'If you share more about your constraints, I can make this more specific.',
  'That should give you a solid starting point.',
  'Try the simplest option first and see how far it takes you.',
];

/** FNV-1a: a stable 32-bit hash, so the same prompt seeds the same answer everywhere. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0;
}

/** mulberry32: tiny, fast and good enough to pick sentences. */
function createRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** Picks `count` different items, keeping their order of appearance random. */
function sample<T>(items: readonly T[], count: number, random: () => number): T[] {
  const pool = [...items];
  const chosen: T[] = [];
  while (chosen.length < count && pool.length > 0) {
    chosen.push(pool.splice(Math.floor(random() * pool.length), 1)[0] as T);
  }
  return chosen;
}

function between(min: number, max: number, random: () => number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** The first words of the prompt, on one line, to show the answer is about it. */
function topicOf(prompt: string): string {
  const words = prompt.trim().split(/\s+/);
  const topic = words.slice(0, 8).join(' ');
  return words.length > 8 ? `${topic}...` : topic;
}

/**
 * The answer's own words are plain ASCII, quotes and ellipsis included. One character outside
 * Latin-1 makes V8 store the whole answer as UTF-16, and every token cut from it too, which
 * doubles the cost of building and writing each frame; an upstream's tokens are decoded one by
 * one, and only those that need UTF-16 get it. A prompt that needs it still gets it here.
 */
export function writeMockAnswer(prompt: string): string {
  const random = createRandom(hash(prompt));
  const paragraphCount = between(3, 5, random);
  const sentences = sample(SENTENCES, paragraphCount * 3 + 2, random);
  const paragraphs: string[] = [`${pick(OPENERS, random)} You asked about "${topicOf(prompt)}".`];
  for (let index = 0; index < paragraphCount; index++) {
    paragraphs.push(sentences.splice(0, between(2, 3, random)).join(' '));
  }
  if (random() < 0.6) {
    const items = sample(LIST_ITEMS, between(3, 4, random), random);
    const at = between(2, paragraphs.length, random);
    paragraphs.splice(
      at,
      0,
      `The main things to keep in mind:\n${items.map((item) => `- ${item}`).join('\n')}`,
    );
  }
  paragraphs.push(pick(CLOSERS, random));
  return paragraphs.join('\n\n');
}
