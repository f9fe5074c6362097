/*
 * What the benchmark asks for and what it must get back. The baseline and the load generator
 * take the built-in models' text and tokens from the server's own source, so the baseline sends
 * the same tokens in the same frames, and every stream can be checked to the byte.
 */
import { conversationOf } from '@gpt-stream/protocol';
import { writeMockAnswer } from '../../../apps/server/src/models/mock-answer.ts';
import { tokenize } from '../../../apps/server/src/models/tokenize.ts';

export type BenchModel = 'mock' | 'echo';

export interface StreamRequest {
  prompt: string;
  model: BenchModel;
  maxTokens?: number;
  /** Sent only when set; by default the server's own default is what gets measured. */
  resumable?: boolean;
}

/** The tokens a built-in model streams for a request, and why it stops. */
export function answerFor({ prompt, model, maxTokens }: StreamRequest): {
  tokens: string[];
  finishReason: 'stop' | 'length';
} {
  const tokens = tokenize(model === 'echo' ? prompt : writeMockAnswer(conversationOf({ prompt })));
  if (maxTokens === undefined || maxTokens >= tokens.length)
    return { tokens, finishReason: 'stop' };
  return { tokens: tokens.slice(0, maxTokens), finishReason: 'length' };
}

export function promptTokenCount(prompt: string): number {
  return tokenize(prompt).length;
}

/**
 * An echo prompt of exactly `count` tokens of realistic text, so the firehose streams as many
 * tokens as it asks for (the mock model's answers are a few hundred tokens long).
 */
export function realisticPrompt(count: number): string {
  const tokens: string[] = [];
  for (let seed = 0; tokens.length < count; seed++) {
    tokens.push(...tokenize(`${writeMockAnswer(conversationOf({ prompt: `bench ${seed}` }))}\n\n`));
  }
  let prompt = tokens.slice(0, count).join('');
  // Joining can fuse two tokens at a boundary; trim until the prompt streams `count` tokens.
  while (tokenize(prompt).length > count) prompt = tokenize(prompt).slice(0, count).join('');
  return prompt;
}
