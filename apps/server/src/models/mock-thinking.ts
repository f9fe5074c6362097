/*
 * Writes what `mock-reasoning` thinks before it answers: plain text, the way reasoning models
 * think aloud (a first reading of the question, considerations, a doubt or two, a plan), chosen
 * by a generator seeded from the conversation, so the same conversation always gets the same
 * thinking. Like the answer's, its own words are plain ASCII (see writeMockAnswer).
 */
import { type ChatMessage, lastUserMessage } from '@gpt-stream/protocol';
import { between, createRandom, hashConversation, pick, sample, topicOf } from './mock-answer.ts';

const OPENINGS = [
  'Okay, the user is asking about "{topic}". Let me think about what they actually need here.',
  'Let me think about this. The question is "{topic}".',
  'Alright, so the question is "{topic}". Let me work out what matters most before answering.',
  'Hmm, "{topic}". Let me think about what a good answer looks like.',
];

const FOLLOW_UP_OPENINGS = [
  'The user is following up, now asking "{topic}". Let me recall what I already said so I do not repeat it.',
  'So this builds on the earlier question: "{topic}". Let me think about what is new here.',
];

const CONSIDERATIONS = [
  'The first thing that comes to mind is latency: what the reader sees first matters more than the total time.',
  'They probably want a setup that works end to end before anything clever.',
  'There is a trade-off between keeping it simple and making it flexible, and early on simple usually wins.',
  'If the connection drops halfway, the answer must not quietly look complete.',
  'Backpressure matters too: a slow reader should slow the producer down, not fill up memory.',
  'Proxies can buffer a stream into one burst at the end, so that is worth a mention.',
  'I should work out whether the question is really about the server, the page, or both.',
  'A concrete example would be easier to follow than an abstract list.',
  'Measuring first is the honest advice, since guesses about performance are often wrong.',
  'Security is easy to forget here: model output is untrusted text and must never become markup.',
  'Stopping the model when nobody reads any more saves real money, so that belongs in the answer.',
  'Retries need care: sending the same request twice can start a second generation.',
];

const DOUBTS = [
  'Hmm, but that depends on how many readers there are at once.',
  'Wait, is that true behind every proxy? Not always, so I should say when it applies.',
  'Actually, let me reconsider the order: the basics should come before the edge cases.',
  'But maybe that is more detail than they need right now.',
  'On the other hand, leaving it out could mislead them later.',
  'Let me double-check that. Yes, that holds as long as every stream ends with a clear signal.',
];

const PLANS = [
  'So the answer should start with the short version, then explain how it works, then list what to watch out for.',
  'I will give a sensible default first and mention the settings that change it.',
  'A short list of the main points, with one example, should cover it.',
  'I will keep it practical: what to do first, what to measure, and what to avoid.',
];

const CLOSINGS = [
  'Okay, I think I have a clear structure. Let me write it.',
  'That should be enough for a clear answer.',
  'Right, let me put that together.',
];

/** A different seed from the answer's, so thinking and answer do not pick in step. */
const SALT = 0x7e1a_b0d5;

export function writeMockThinking(messages: readonly ChatMessage[]): string {
  const random = createRandom((hashConversation(messages) ^ SALT) >>> 0);
  const topic = topicOf(lastUserMessage(messages));
  const followUp = messages.filter(({ role }) => role === 'user').length > 1;
  const opening = pick(followUp ? FOLLOW_UP_OPENINGS : OPENINGS, random)
    .replace('{topic}', topic)
    // A question quoted at the end of a sentence ends it: `"Why?"`, not `"Why?".`
    .replace(/([.?!])"\./, '$1"');
  const considerations = sample(CONSIDERATIONS, 5, random);
  const doubts = sample(DOUBTS, 2, random);

  const paragraphs = [[opening, ...considerations.splice(0, between(1, 2, random))]];
  paragraphs.push([...considerations.splice(0, 2), doubts[0] as string]);
  if (random() < 0.5) paragraphs.push([doubts[1] as string, ...considerations.splice(0, 1)]);
  paragraphs.push([pick(PLANS, random), pick(CLOSINGS, random)]);
  return paragraphs.map((sentences) => sentences.join(' ')).join('\n\n');
}
