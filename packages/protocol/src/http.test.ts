import { describe, expect, it } from 'vitest';
import { EVENT_STREAM_TYPE, hasMediaType, JSON_TYPE } from './http.ts';

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
