import { describe, expect, it } from 'vitest';
import { parseChatRequest } from './chat-request.ts';
import { ERROR_CODES } from './errors.ts';
import { API_PATHS } from './http.ts';
import { chatStreamPath, isStreamId, parseResumePosition } from './resume.ts';
import { formatEventId } from './sse-encoder.ts';

const uuid = '6c0e1f7a-2b3c-4d5e-8f90-a1b2c3d4e5f6';

describe('chatStreamPath', () => {
  it('is the stream under the chat path', () => {
    expect(chatStreamPath(uuid)).toBe(`${API_PATHS.chat}/${uuid}`);
  });

  it('carries the event id to resume after, encoded', () => {
    expect(chatStreamPath(uuid, formatEventId(uuid, 12))).toBe(
      `/api/chat/${uuid}?after=${uuid}%3A12`,
    );
    const url = new URL(chatStreamPath(uuid, `${uuid}:3`), 'http://x');
    expect(url.searchParams.get('after')).toBe(`${uuid}:3`);
  });

  it('encodes whatever it is given, so a bad id cannot reach another route', () => {
    expect(chatStreamPath('../health?x')).toBe('/api/chat/..%2Fhealth%3Fx');
  });
});

describe('isStreamId', () => {
  it.each([uuid, 'abc', 'A_b-9', 'x'.repeat(128)])('accepts %j', (id) => {
    expect(isStreamId(id)).toBe(true);
  });

  it.each(['', 'a:b', 'a b', 'a/b', 'ü', 'x'.repeat(129), 'a\n'])('rejects %j', (id) => {
    expect(isStreamId(id)).toBe(false);
  });
});

describe('parseResumePosition', () => {
  it('reads what formatEventId writes', () => {
    expect(parseResumePosition(formatEventId(uuid, 0))).toEqual({ streamId: uuid, sequence: 0 });
    expect(parseResumePosition(formatEventId(uuid, 4711))).toEqual({
      streamId: uuid,
      sequence: 4711,
    });
  });

  it.each(['', uuid, `${uuid}:`, `${uuid}:-1`, `${uuid}:1.5`, ':3', 'a b:3', 'a:b:3'])(
    'rejects %j',
    (id) => {
      expect(parseResumePosition(id)).toBeNull();
    },
  );
});

describe('the resume contract', () => {
  it('names the resume errors', () => {
    expect(ERROR_CODES.streamNotFound).toBe('stream_not_found');
    expect(ERROR_CODES.streamStopped).toBe('stream_stopped');
  });

  it('takes resumable as an optional boolean and still rejects unknown keys', () => {
    expect(parseChatRequest({ prompt: 'Hi', resumable: false })).toEqual({
      ok: true,
      value: { prompt: 'Hi', resumable: false },
    });
    expect(parseChatRequest({ prompt: 'Hi', resumable: 'no' })).toEqual({
      ok: false,
      message: 'resumable must be true or false',
    });
    expect(parseChatRequest({ prompt: 'Hi', resumeable: true }).ok).toBe(false);
  });
});
