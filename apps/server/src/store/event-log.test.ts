import type { StreamEvent } from '@gpt-stream/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventLog } from './event-log.ts';

type Text = { type: 'reasoning' | 'delta'; text: string };

function logOf(texts: readonly Text[]): EventLog {
  const log = new EventLog('s1', 'mock-reasoning');
  for (const { type, text } of texts) {
    if (type === 'reasoning') log.pushReasoning(text);
    else log.pushText(text);
  }
  return log;
}

const texts = fc.array(
  fc.record({ type: fc.constantFrom('reasoning', 'delta'), text: fc.string() }),
  { maxLength: 60 },
) as fc.Arbitrary<Text[]>;

describe('EventLog', () => {
  it('gives back every reasoning and delta event in order, whatever the mix', () => {
    fc.assert(
      fc.property(texts, (pushed) => {
        const log = logOf(pushed);
        const expected: StreamEvent[] = [
          { type: 'start', data: { streamId: 's1', model: 'mock-reasoning' } },
          ...pushed.map(({ type, text }) => ({ type, data: { text } })),
        ];
        expect(Array.from({ length: log.length }, (_, seq) => log.eventAt(seq))).toEqual(expected);
        // The reader's fast path: the text of deltas only.
        for (let seq = 0; seq < log.length; seq++) {
          const event = expected[seq] as StreamEvent;
          expect(log.textAt(seq)).toBe(event.type === 'delta' ? event.data.text : undefined);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('numbers thinking, then the answer, then the terminal event', () => {
    const log = new EventLog('s1', 'mock-reasoning');
    expect(log.pushReasoning('Let me think.')).toBe(1);
    expect(log.pushReasoning(' Yes.')).toBe(2);
    expect(log.pushText('Hello')).toBe(3);
    const done = {
      type: 'done',
      data: { finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 3 } },
    } as const;
    expect(log.end(done)).toBe(4);
    expect(log.eventAt(2)).toEqual({ type: 'reasoning', data: { text: ' Yes.' } });
    expect(log.eventAt(4)).toEqual(done);
    expect(() => log.pushReasoning('late')).toThrow(/already ended/);
  });

  it('counts reasoning in its bytes like any text', () => {
    const thinking = new EventLog('s1', 'm');
    const answering = new EventLog('s1', 'm');
    thinking.pushReasoning('x'.repeat(100));
    answering.pushText('x'.repeat(100));
    expect(thinking.bytes).toBe(answering.bytes);
  });
});
