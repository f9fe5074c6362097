import { describe, expect, it } from 'vitest';
import {
  HttpResponseError,
  type HttpResponseHead,
  HttpResponseReader,
  MAX_FIELDS_BYTES,
} from './http-response-reader.ts';

interface Reading {
  head?: HttpResponseHead;
  heads: number;
  body: Buffer;
  slices: Buffer[];
  trailers?: ReadonlyMap<string, string>;
  ends: number;
  error?: Error;
}

/** Feeds the pieces in order, then (unless told not to) the connection's close. */
function read(pieces: Buffer[], closeAfter = true): Reading {
  const reading: Reading = { heads: 0, body: Buffer.alloc(0), slices: [], ends: 0 };
  const reader = new HttpResponseReader({
    onHead: (head) => {
      reading.head = head;
      reading.heads++;
    },
    onBody: (bytes) => {
      reading.slices.push(bytes);
    },
    onEnd: (trailers) => {
      reading.trailers = trailers;
      reading.ends++;
    },
  });
  try {
    for (const piece of pieces) reader.feed(piece);
    if (closeAfter) reader.close();
  } catch (error) {
    reading.error = error as Error;
  }
  reading.body = Buffer.concat(reading.slices);
  return reading;
}

/** What a reading found, in a form that compares quickly. */
function summary(reading: Reading) {
  return {
    error: reading.error?.message,
    heads: reading.heads,
    status: reading.head?.status,
    reason: reading.head?.reason,
    headers: Object.fromEntries(reading.head?.headers ?? []),
    body: reading.body.toString('utf8'),
    ends: reading.ends,
    trailers: Object.fromEntries(reading.trailers ?? []),
  };
}

/** The response cut in two at every byte, then fed one byte at a time. */
function everySplit(response: Buffer): Array<[string, Buffer[]]> {
  const cuts: Array<[string, Buffer[]]> = [];
  for (let at = 0; at <= response.length; at++) {
    cuts.push([`cut at ${at}`, [response.subarray(0, at), response.subarray(at)]]);
  }
  const oneByOne = Array.from(response, (_, at) => response.subarray(at, at + 1));
  cuts.push(['byte by byte', oneByOne]);
  return cuts;
}

/** Every way of cutting the response in three, which includes every way in two. */
function everyTwoSplits(response: Buffer): Array<[string, Buffer[]]> {
  const cuts: Array<[string, Buffer[]]> = [];
  for (let first = 0; first <= response.length; first++) {
    for (let second = first; second <= response.length; second++) {
      const pieces = [
        response.subarray(0, first),
        response.subarray(first, second),
        response.subarray(second),
      ];
      cuts.push([`cuts at ${first} and ${second}`, pieces]);
    }
  }
  cuts.push(...everySplit(response).slice(-1));
  return cuts;
}

const bytes = (...parts: string[]) => Buffer.from(parts.join(''), 'utf8');

const UTF8_TEXT = 'naïve 😀 你好 — ok';

const CHUNKED = bytes(
  'HTTP/1.1 200 OK\r\n',
  'Content-Type: text/event-stream\r\n',
  'transfer-encoding: chunked\r\n',
  'X-Repeat: a\r\n',
  'x-repeat:  b \t\r\n',
  '\r\n',
  '5;name=value\r\n',
  'hello\r\n',
  `${Buffer.byteLength(UTF8_TEXT).toString(16).toUpperCase()} ; a="q;x" ;b\r\n`,
  `${UTF8_TEXT}\r\n`,
  '0\r\n',
  'Trailer-One: 1\r\n',
  'trailer-two: 2\r\n',
  '\r\n',
);

const CONTENT_LENGTH = bytes(
  'HTTP/1.1 200 OK\r\n',
  `Content-Length: ${Buffer.byteLength(UTF8_TEXT)}\r\n`,
  '\r\n',
  UTF8_TEXT,
);

const UNTIL_CLOSE = bytes(
  'HTTP/1.0 200 Fine\r\n',
  'Content-Type: text/plain\r\n',
  '\r\n',
  UTF8_TEXT,
);

describe('HttpResponseReader reads a chunked body with extensions and trailers', () => {
  it('however it is cut, in two, in three or into single bytes', () => {
    const whole = summary(read([CHUNKED]));
    expect(whole).toEqual({
      error: undefined,
      heads: 1,
      status: 200,
      reason: 'OK',
      headers: {
        'content-type': 'text/event-stream',
        'transfer-encoding': 'chunked',
        'x-repeat': 'a, b',
      },
      body: `hello${UTF8_TEXT}`,
      ends: 1,
      trailers: { 'trailer-one': '1', 'trailer-two': '2' },
    });
    for (const [cut, pieces] of everyTwoSplits(CHUNKED)) {
      expect(summary(read(pieces)), cut).toEqual(whole);
    }
  });
});

describe('HttpResponseReader fed from one reused buffer, as a socket with onread feeds it', () => {
  it('reads the same response however it is cut, keeping no view of an overwritten read', () => {
    const whole = summary(read([CHUNKED]));
    for (const [cut, pieces] of everySplit(CHUNKED)) {
      const shared = Buffer.alloc(CHUNKED.length);
      const body: string[] = [];
      let head: unknown;
      let trailers: unknown;
      const reader = new HttpResponseReader({
        onHead: (found) => {
          head = { status: found.status, headers: Object.fromEntries(found.headers) };
        },
        onBody: (bytes) => body.push(bytes.toString('latin1')),
        onEnd: (found) => {
          trailers = Object.fromEntries(found);
        },
      });
      for (const piece of pieces) {
        piece.copy(shared);
        reader.feed(shared.subarray(0, piece.length));
        // The next read lands in the same memory.
        shared.fill(0x78);
      }
      expect(
        { head, body: Buffer.from(body.join(''), 'latin1').toString('utf8'), trailers },
        cut,
      ).toEqual({
        head: { status: whole.status, headers: whole.headers },
        body: whole.body,
        trailers: whole.trailers,
      });
    }
  });
});

describe('HttpResponseReader reads a Content-Length body', () => {
  it('however it is cut, in two, in three or into single bytes', () => {
    for (const [cut, pieces] of everyTwoSplits(CONTENT_LENGTH)) {
      const reading = read(pieces);
      expect(reading.error, cut).toBeUndefined();
      expect(reading.head?.status, cut).toBe(200);
      expect(reading.body.toString('utf8'), cut).toBe(UTF8_TEXT);
      expect(reading.ends, cut).toBe(1);
      expect(reading.trailers?.size, cut).toBe(0);
    }
  });

  it('ends the body on its last byte, before the connection closes', () => {
    expect(read([CONTENT_LENGTH], false).ends).toBe(1);
  });
});

describe('HttpResponseReader reads a body that ends with the connection', () => {
  it('however it is cut, in two, in three or into single bytes', () => {
    for (const [cut, pieces] of everyTwoSplits(UNTIL_CLOSE)) {
      const reading = read(pieces);
      expect(reading.error, cut).toBeUndefined();
      expect(reading.head, cut).toMatchObject({ status: 200, reason: 'Fine' });
      expect(reading.body.toString('utf8'), cut).toBe(UTF8_TEXT);
      expect(reading.ends, cut).toBe(1);
    }
  });

  it('does not end it while the connection is open', () => {
    expect(read([UNTIL_CLOSE], false).ends).toBe(0);
  });
});

describe('HttpResponseReader passes body bytes through as they are', () => {
  it('keeps every UTF-8 character whole across the slices, wherever it is cut', () => {
    for (const [cut, pieces] of everySplit(CHUNKED)) {
      const decoder = new TextDecoder('utf-8', { fatal: true });
      const { slices } = read(pieces);
      const text = slices.map((slice) => decoder.decode(slice, { stream: true })).join('');
      expect(text + decoder.decode(), cut).toBe(`hello${UTF8_TEXT}`);
    }
  });

  it('hands out views of the fed buffers, not copies', () => {
    const reading = read([CHUNKED]);
    expect(reading.slices.length).toBeGreaterThan(0);
    for (const slice of reading.slices) expect(slice.buffer).toBe(CHUNKED.buffer);
  });

  it('cuts some slice inside a character when fed byte by byte', () => {
    const reading = read(Array.from(CHUNKED, (_, at) => CHUNKED.subarray(at, at + 1)));
    // A lone lead byte of a multi-byte character: 0b11xxxxxx.
    expect(reading.slices.some((slice) => ((slice[0] ?? 0) & 0xc0) === 0xc0)).toBe(true);
    expect(reading.body.toString('utf8')).toBe(`hello${UTF8_TEXT}`);
  });
});

describe('HttpResponseReader frames bodies as RFC 9112 says', () => {
  const bodyOf = (...parts: string[]) => read([bytes(...parts)]);

  it('skips interim answers', () => {
    const reading = bodyOf(
      'HTTP/1.1 100 Continue\r\n\r\n',
      'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
    );
    expect(reading).toMatchObject({ heads: 1, head: { status: 200 }, ends: 1 });
    expect(reading.body.toString()).toBe('ok');
  });

  it.each([204, 304])('gives %i no body', (status) => {
    const reading = read([bytes(`HTTP/1.1 ${status} X\r\n\r\n`)], false);
    expect(reading).toMatchObject({ ends: 1, body: Buffer.alloc(0) });
  });

  it('ends a Content-Length of 0 with the head', () => {
    expect(read([bytes('HTTP/1.1 400 Bad\r\ncontent-length: 0\r\n\r\n')], false).ends).toBe(1);
  });

  it('takes repeated identical Content-Length values', () => {
    const reading = bodyOf(
      'HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok',
    );
    expect(reading.error).toBeUndefined();
    expect(reading.body.toString()).toBe('ok');
  });

  it('lets Transfer-Encoding override Content-Length', () => {
    const reading = bodyOf(
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: gzip, CHUNKED\r\n\r\n',
      '2\r\nok\r\n0\r\n\r\n',
    );
    expect(reading.error).toBeUndefined();
    expect(reading.body.toString()).toBe('ok');
  });

  it('reads until close when chunked is not the last coding', () => {
    const reading = bodyOf('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n2\r\nok');
    expect(reading.error).toBeUndefined();
    expect(reading.body.toString()).toBe('2\r\nok');
  });

  it('unfolds an obs-folded header into one value', () => {
    const reading = bodyOf(
      'HTTP/1.1 200 OK\r\nX-Long: one\r\n \t two\r\nContent-Length: 0\r\n\r\n',
    );
    expect(reading.head?.headers.get('x-long')).toBe('one two');
  });

  it('keeps obs-text in a value and trims only spaces and tabs', () => {
    const head = Buffer.concat([
      bytes('HTTP/1.1 200 OK\r\nX-Latin: '),
      Buffer.from([0xa0, 0x41, 0xa0]),
      bytes(' \r\nContent-Length: 0\r\n\r\n'),
    ]);
    expect(read([head]).head?.headers.get('x-latin')).toBe('\u00a0A\u00a0');
  });

  it('accepts a status line without a reason phrase', () => {
    expect(bodyOf('HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n').head).toMatchObject({
      status: 200,
      reason: '',
    });
  });
});

describe('HttpResponseReader refuses malformed input with a clear error', () => {
  const chunkedWith = (body: string) =>
    bytes('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', body);
  const cases: Array<[string, Buffer, RegExp]> = [
    ['a status line of another protocol', bytes('HTTP/2 200 OK\r\n\r\n'), /bad status line/],
    ['a two-digit status', bytes('HTTP/1.1 20 OK\r\n\r\n'), /bad status line/],
    ['no status line at all', bytes('hello\r\n\r\n'), /bad status line "hello"/],
    [
      'a bare LF between header lines',
      bytes('HTTP/1.1 200 OK\r\nA: b\nC: d\r\n\r\n'),
      /bare CR or LF/,
    ],
    [
      'a header line without a colon',
      bytes('HTTP/1.1 200 OK\r\nNoColon\r\n\r\n'),
      /bad field line/,
    ],
    ['a space before the colon', bytes('HTTP/1.1 200 OK\r\nName : x\r\n\r\n'), /bad field line/],
    ['a control byte in a value', bytes('HTTP/1.1 200 OK\r\nA: b\u0001\r\n\r\n'), /bad value/],
    [
      'a folded line first',
      bytes('HTTP/1.1 200 OK\r\n folded\r\n\r\n'),
      /starts with a folded line/,
    ],
    [
      'a Content-Length that is no number',
      bytes('HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n'),
      /bad Content-Length "1e3"/,
    ],
    [
      'Content-Length values that differ',
      bytes('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd'),
      /bad Content-Length "3, 4"/,
    ],
    [
      'a body longer than its Content-Length',
      bytes('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcd'),
      /body longer than its Content-Length of 3/,
    ],
    [
      'a connection closed before the Content-Length',
      bytes('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab'),
      /closed 3 bytes before the end of the body/,
    ],
    ['a chunk size that is no hex', chunkedWith('zz\r\n'), /bad chunk size/],
    ['a chunk size line without digits', chunkedWith(';x\r\n'), /bad chunk size/],
    ['junk after the chunk size', chunkedWith('5x\r\nhello\r\n0\r\n\r\n'), /bad chunk size/],
    [
      'junk after a space after the chunk size',
      chunkedWith('5 x\r\nhello\r\n0\r\n\r\n'),
      /bad chunk size/,
    ],
    ['a CR without LF after the chunk size', chunkedWith('5\rhello\r\n0\r\n\r\n'), /CR without LF/],
    [
      'a chunk size too large to count',
      chunkedWith('fffffffffffffffff\r\n'),
      /chunk size too large/,
    ],
    [
      'a control byte in a chunk extension',
      chunkedWith('1;a\u0000\r\nx\r\n0\r\n\r\n'),
      /bad chunk extension/,
    ],
    [
      'chunk data longer than its size',
      chunkedWith('3\r\nabcd\r\n0\r\n\r\n'),
      /missing CRLF after chunk data/,
    ],
    [
      'chunk data followed by LF alone',
      chunkedWith('3\r\nabc\n0\r\n\r\n'),
      /missing CRLF after chunk data/,
    ],
    [
      'chunk data followed by CR alone',
      chunkedWith('3\r\nabc\r0\r\n\r\n'),
      /missing CRLF after chunk data/,
    ],
    [
      'chunk data followed by two CRs',
      chunkedWith('3\r\nabc\r\r\n0\r\n\r\n'),
      /missing CRLF after chunk data/,
    ],
    ['a malformed trailer', chunkedWith('0\r\nnot a trailer\r\n\r\n'), /bad field line/],
    [
      'a connection closed inside a chunk',
      chunkedWith('5\r\nhel'),
      /closed inside the chunked body/,
    ],
    [
      'a connection closed before the last chunk',
      chunkedWith('5\r\nhello\r\n'),
      /closed inside the chunked body/,
    ],
    [
      'a connection closed before the trailers end',
      chunkedWith('0\r\n'),
      /closed inside the chunked body/,
    ],
    [
      'bytes after the end of a chunked body',
      chunkedWith('0\r\n\r\nHTTP/1.1 200 OK'),
      /bytes after the end of the response/,
    ],
    [
      'a connection closed inside the head',
      bytes('HTTP/1.1 200 OK\r\nContent-Le'),
      /closed inside the response head/,
    ],
    ['a connection closed before anything', Buffer.alloc(0), /closed before any response/],
  ];

  it.each(cases)('%s, wherever it is cut', (_, response, message) => {
    for (const [cut, pieces] of everySplit(response)) {
      const { error } = read(pieces);
      expect(error, cut).toBeInstanceOf(HttpResponseError);
      expect(error?.message, cut).toMatch(message);
    }
  });

  it('refuses a head larger than its limit instead of buffering it', () => {
    const reader = new HttpResponseReader({ onHead() {}, onBody() {}, onEnd() {} });
    reader.feed(bytes('HTTP/1.1 200 OK\r\n'));
    const filler = bytes(`X-Filler: ${'x'.repeat(1000)}\r\n`);
    expect(() => {
      for (let sent = 0; sent <= MAX_FIELDS_BYTES; sent += filler.length) reader.feed(filler);
    }).toThrow(/head over 65536 bytes/);
  });

  it('keeps failing once it has failed', () => {
    const reader = new HttpResponseReader({ onHead() {}, onBody() {}, onEnd() {} });
    expect(() => reader.feed(bytes('HTTP/9 200\r\n\r\n'))).toThrow(/bad status line/);
    expect(() => reader.feed(bytes('HTTP/1.1 200 OK\r\n\r\n'))).toThrow(/bad status line/);
    expect(() => reader.close()).toThrow(/bad status line/);
    expect(reader.complete).toBe(false);
  });

  it('reports neither head nor body from a head it refuses', () => {
    const reading = read([bytes('HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\nbody')]);
    expect(reading).toMatchObject({ heads: 0, ends: 0, slices: [] });
  });
});
