import { describe, expect, it } from 'vitest';
import {
  API_PATHS,
  chatStreamPath,
  EVENT_STREAM_TYPE,
  hasMediaType,
  JSON_TYPE,
  RESUME_AFTER_PARAM,
} from './http.ts';
import { formatEventId } from './sse-encoder.ts';

describe('hasMediaType', () => {
  it.each([
    'text/event-stream',
    'text/event-stream; charset=utf-8',
    'Text/Event-Stream;charset=UTF-8',
    ' text/event-stream ',
  ])('matches %j', (header) => {
    expect(hasMediaType(header, EVENT_STREAM_TYPE)).toBe(true);
  });

  it.each([null, undefined, '', 'text/event-streams', 'text/html', 'application/json'])(
    'does not match %j',
    (header) => {
      expect(hasMediaType(header, EVENT_STREAM_TYPE)).toBe(false);
    },
  );

  it('tells JSON apart', () => {
    expect(hasMediaType('application/json; charset=utf-8', JSON_TYPE)).toBe(true);
  });
});

describe('chatStreamPath', () => {
  it('names the stream under the chat path', () => {
    expect(chatStreamPath('6c0e-41')).toBe('/api/chat/6c0e-41');
    expect(API_PATHS.chatStream.replace(':streamId', '6c0e-41')).toBe(chatStreamPath('6c0e-41'));
  });

  it('carries the last event id in the query, encoded', () => {
    const after = formatEventId('6c0e-41', 12);
    const url = new URL(chatStreamPath('6c0e-41', after), 'http://localhost');
    expect(url.pathname).toBe('/api/chat/6c0e-41');
    expect(url.searchParams.get(RESUME_AFTER_PARAM)).toBe(after);
  });

  it('keeps an id with reserved characters inside its own path segment', () => {
    const url = new URL(chatStreamPath('a/b?c#d', 'a/b?c#d:3'), 'http://localhost');
    expect(url.pathname).toBe('/api/chat/a%2Fb%3Fc%23d');
    expect(decodeURIComponent(url.pathname.split('/').at(-1) ?? '')).toBe('a/b?c#d');
    expect(url.searchParams.get(RESUME_AFTER_PARAM)).toBe('a/b?c#d:3');
  });
});
