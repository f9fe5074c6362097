/*
 * One HTTP/1.1 response read straight off a socket's bytes. The load generator reads thousands of
 * streams at once, and node:http's client (socket → parser → IncomingMessage → StringDecoder per
 * chunk) cost a third of its time; this does only what reading an answer needs: the head, then
 * the body with its framing undone, as slices of the buffers it is fed (never copied or decoded:
 * a UTF-8 character may straddle two slices). Bytes may arrive cut anywhere.
 *
 * Header names are lower-cased; a repeated field's values are joined with ", " (RFC 9110 §5.3).
 * Interim 1xx answers are skipped; 204 and 304 have no body. Answers to HEAD are not supported.
 */

export interface HttpResponseHead {
  status: number;
  reason: string;
  headers: ReadonlyMap<string, string>;
}

export interface HttpResponseSink {
  onHead(head: HttpResponseHead): void;
  /** A slice of a fed buffer: valid only until it returns unless the caller owns the buffer. */
  onBody(bytes: Buffer): void;
  /** The body is complete; trailers of a chunked body, else none. */
  onEnd(trailers: ReadonlyMap<string, string>): void;
}

/** The answer broke HTTP/1.1 framing or syntax: nothing after it can be trusted. */
export class HttpResponseError extends Error {
  override name = 'HttpResponseError';
}

const CR = 13;
const LF = 10;
const SP = 32;
const HTAB = 9;
const SEMICOLON = 59;
const DEL = 127;

/** Larger heads (or trailer sections) are refused rather than buffered without end. */
export const MAX_FIELDS_BYTES = 64 * 1024;
const NO_FIELDS: ReadonlyMap<string, string> = new Map();
const MAX_SIZE_BEFORE_DIGIT = Math.floor(Number.MAX_SAFE_INTEGER / 16);

// Where the reader is; plain numbers so that the per-byte switch stays a jump table.
const HEAD = 0;
const LENGTH = 1;
const UNTIL_CLOSE = 2;
const CHUNK_SIZE = 3;
const CHUNK_SIZE_SPACE = 4;
const CHUNK_EXTENSION = 5;
const CHUNK_SIZE_LF = 6;
const CHUNK_DATA = 7;
const CHUNK_DATA_CR = 8;
const CHUNK_DATA_LF = 9;
const TRAILERS = 10;
const DONE = 11;
const FAILED = 12;

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/;
const FIELD_NAME = /^[-!#$%&'*+.^_`|~0-9A-Za-z]+$/;
// Field values: visible ASCII, space, tab and obs-text; a CR or LF would be a bare line break.
const BAD_FIELD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const SURROUNDING_SPACE = /^[ \t]+|[ \t]+$/g;

export class HttpResponseReader {
  private readonly sink: HttpResponseSink;
  private state = HEAD;
  private failure: HttpResponseError | undefined;
  /** Pieces of a head or trailer section not yet complete. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** How much of the CRLFCRLF that ends a head or trailer section the last bytes matched. */
  private blankLine = 0;
  /** Bytes still due: of a Content-Length body, or of the current chunk. */
  private remaining = 0;
  private chunkSize = 0;
  private sizeDigits = 0;
  private sawHead = false;
  /** The Content-Length, or -1 when the body is framed otherwise. */
  private declaredLength = -1;

  constructor(sink: HttpResponseSink) {
    this.sink = sink;
  }

  /** The body has ended (onEnd was called). */
  get complete(): boolean {
    return this.state === DONE;
  }

  /** Reads the next bytes off the connection; throws HttpResponseError on malformed input. */
  feed(chunk: Buffer): void {
    let at = 0;
    const length = chunk.length;
    while (at < length) {
      switch (this.state) {
        case LENGTH:
        case CHUNK_DATA: {
          const end = Math.min(length, at + this.remaining);
          this.remaining -= end - at;
          this.sink.onBody(at === 0 && end === length ? chunk : chunk.subarray(at, end));
          at = end;
          if (this.remaining > 0) break;
          if (this.state === LENGTH) this.end(NO_FIELDS);
          else this.state = CHUNK_DATA_CR;
          break;
        }
        case UNTIL_CLOSE:
          this.sink.onBody(at === 0 ? chunk : chunk.subarray(at));
          at = length;
          break;
        case HEAD:
        case TRAILERS:
          at = this.readFields(chunk, at);
          break;
        case DONE:
          this.fail(
            this.declaredLength >= 0
              ? `body longer than its Content-Length of ${this.declaredLength}`
              : 'bytes after the end of the response',
          );
          break;
        case FAILED:
          throw this.failure;
        default:
          at = this.readChunkFraming(chunk, at);
      }
    }
  }

  /** The connection has ended: completes a body read until close, else says what was cut. */
  close(): void {
    switch (this.state) {
      case DONE:
        return;
      case FAILED:
        throw this.failure;
      case UNTIL_CLOSE:
        this.end(NO_FIELDS);
        return;
      case HEAD:
        this.fail(
          this.sawHead || this.pendingBytes > 0
            ? 'connection closed inside the response head'
            : 'connection closed before any response',
        );
        break;
      case LENGTH:
        this.fail(`connection closed ${this.remaining} bytes before the end of the body`);
        break;
      default:
        this.fail('connection closed inside the chunked body');
    }
  }

  private fail(message: string): never {
    this.state = FAILED;
    this.failure = new HttpResponseError(message);
    this.pending = [];
    throw this.failure;
  }

  private end(trailers: ReadonlyMap<string, string>): void {
    this.state = DONE;
    this.sink.onEnd(trailers);
  }

  /** Collects a head or a trailer section up to its blank line, then acts on it. */
  private readFields(chunk: Buffer, from: number): number {
    let matched = this.blankLine;
    let at = from;
    const length = chunk.length;
    while (at < length && matched < 4) {
      const byte = chunk[at++];
      if (byte === CR) matched = matched === 2 ? 3 : 1;
      else if (byte === LF) matched = matched === 1 ? 2 : matched === 3 ? 4 : 0;
      else matched = 0;
    }
    this.pendingBytes += at - from;
    if (this.pendingBytes > MAX_FIELDS_BYTES) {
      this.fail(`${this.state === HEAD ? 'head' : 'trailers'} over ${MAX_FIELDS_BYTES} bytes`);
    }
    const piece = chunk.subarray(from, at);
    if (matched < 4) {
      this.blankLine = matched;
      // A copy: the caller may read the next bytes into the same buffer once feed returns.
      this.pending.push(Buffer.from(piece));
      return at;
    }
    const whole = this.pending.length === 0 ? piece : Buffer.concat([...this.pending, piece]);
    this.pending = [];
    this.pendingBytes = 0;
    this.blankLine = 0;
    // A trailer section began right after the last chunk's CRLF, which counted towards its end.
    const text = whole.toString('latin1', 0, Math.max(0, whole.length - 4));
    if (this.state === HEAD) {
      this.readHead(text);
    } else {
      const trailers = text === '' ? NO_FIELDS : parseFields(text);
      if (typeof trailers === 'string') this.fail(trailers);
      this.end(trailers);
    }
    return at;
  }

  private readHead(text: string): void {
    this.sawHead = true;
    const lineEnd = text.indexOf('\r\n');
    const statusLine = lineEnd < 0 ? text : text.slice(0, lineEnd);
    const match = STATUS_LINE.exec(statusLine);
    if (match === null || BAD_FIELD_VALUE.test(statusLine)) {
      this.fail(`bad status line ${JSON.stringify(statusLine.slice(0, 100))}`);
    }
    const status = Number(match[1]);
    const headers = lineEnd < 0 ? new Map<string, string>() : parseFields(text.slice(lineEnd + 2));
    if (typeof headers === 'string') this.fail(headers);
    // An interim answer (100 Continue, 103 Early Hints) comes before the real one.
    if (status < 200 && status !== 101) return;
    this.sink.onHead({ status, reason: match[2] ?? '', headers });
    this.frameBody(status, headers);
  }

  /** RFC 9112 §6.3: which of the ways a response body can end this one uses. */
  private frameBody(status: number, headers: ReadonlyMap<string, string>): void {
    if (status === 204 || status === 304) {
      this.end(NO_FIELDS);
      return;
    }
    const codings = headers.get('transfer-encoding');
    if (codings !== undefined) {
      const last = codings
        .slice(codings.lastIndexOf(',') + 1)
        .trim()
        .toLowerCase();
      // A body whose last coding is not chunked can only end with the connection.
      if (last !== 'chunked') this.state = UNTIL_CLOSE;
      else this.startChunk();
      return;
    }
    const declared = headers.get('content-length');
    if (declared === undefined) {
      this.state = UNTIL_CLOSE;
      return;
    }
    const values = declared.split(',').map((value) => value.trim());
    const first = values[0] ?? '';
    if (!/^\d+$/.test(first) || values.some((value) => value !== first)) {
      this.fail(`bad Content-Length ${JSON.stringify(declared)}`);
    }
    const length = Number(first);
    if (!Number.isSafeInteger(length)) this.fail(`Content-Length ${first} is too large`);
    this.declaredLength = length;
    if (length === 0) {
      this.end(NO_FIELDS);
      return;
    }
    this.remaining = length;
    this.state = LENGTH;
  }

  private startChunk(): void {
    this.state = CHUNK_SIZE;
    this.chunkSize = 0;
    this.sizeDigits = 0;
  }

  /** The bytes between chunks' data: size lines with their extensions, and CRLFs. */
  private readChunkFraming(chunk: Buffer, from: number): number {
    const length = chunk.length;
    for (let at = from; at < length; at++) {
      const byte = chunk[at] as number;
      switch (this.state) {
        case CHUNK_SIZE: {
          const digit = hexDigit(byte);
          if (digit >= 0) {
            if (this.chunkSize > MAX_SIZE_BEFORE_DIGIT) this.fail('chunk size too large');
            this.chunkSize = this.chunkSize * 16 + digit;
            this.sizeDigits++;
          } else if (this.sizeDigits === 0) {
            this.fail(`bad chunk size: byte ${byte} where a hex digit belongs`);
          } else if (byte === CR) {
            this.state = CHUNK_SIZE_LF;
          } else if (byte === SEMICOLON) {
            this.state = CHUNK_EXTENSION;
          } else if (byte === SP || byte === HTAB) {
            this.state = CHUNK_SIZE_SPACE;
          } else {
            this.fail(`bad chunk size: byte ${byte} after the digits`);
          }
          break;
        }
        case CHUNK_SIZE_SPACE:
          if (byte === SEMICOLON) this.state = CHUNK_EXTENSION;
          else if (byte === CR) this.state = CHUNK_SIZE_LF;
          else if (byte !== SP && byte !== HTAB) this.fail(`bad chunk size: byte ${byte} after it`);
          break;
        case CHUNK_EXTENSION:
          if (byte === CR) this.state = CHUNK_SIZE_LF;
          else if ((byte < SP && byte !== HTAB) || byte === DEL) {
            this.fail(`bad chunk extension: control byte ${byte}`);
          }
          break;
        case CHUNK_SIZE_LF:
          if (byte !== LF) this.fail('bad chunk size line: CR without LF');
          if (this.chunkSize === 0) {
            this.state = TRAILERS;
            this.blankLine = 2;
          } else {
            this.state = CHUNK_DATA;
            this.remaining = this.chunkSize;
          }
          return at + 1;
        case CHUNK_DATA_CR:
          if (byte !== CR) this.fail('missing CRLF after chunk data');
          this.state = CHUNK_DATA_LF;
          break;
        case CHUNK_DATA_LF:
          if (byte !== LF) this.fail('missing CRLF after chunk data');
          this.startChunk();
          break;
      }
    }
    return length;
  }
}

function hexDigit(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  const lower = byte | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

/** Field lines (without the blank line that ends them) into lower-cased names and values. */
function parseFields(text: string): Map<string, string> | string {
  const fields = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split('\r\n')) {
    if (line.includes('\n') || line.includes('\r')) return 'bare CR or LF in a field line';
    if (line.startsWith(' ') || line.startsWith('\t')) {
      // obs-fold: a recipient replaces it with a space (RFC 9112 §5.2).
      if (last === undefined) return 'field block starts with a folded line';
      fields.set(last, `${fields.get(last)} ${trimSpace(line)}`);
      continue;
    }
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    if (colon < 0 || !FIELD_NAME.test(name)) {
      return `bad field line ${JSON.stringify(line.slice(0, 100))}`;
    }
    const value = trimSpace(line.slice(colon + 1));
    if (BAD_FIELD_VALUE.test(value)) return `bad value for field "${name}"`;
    const earlier = fields.get(name);
    fields.set(name, earlier === undefined ? value : `${earlier}, ${value}`);
    last = name;
  }
  return fields;
}

/** Only spaces and tabs surround a value; String#trim would also eat obs-text such as 0xA0. */
function trimSpace(value: string): string {
  return value.replace(SURROUNDING_SPACE, '');
}
