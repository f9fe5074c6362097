import { once } from 'node:events';
import { OutgoingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { HEARTBEAT_FRAME, STREAM_RESPONSE_HEADERS } from '@gpt-stream/protocol';

/**
 * Headers that only a document acts on, which the security middleware (helmet) sets on every
 * response: policies for what a page may load, frame, open or send, and switches for old
 * browsers' handling of pages and downloads. An event stream is read by script and never
 * rendered, so on it they are dead weight, and a response keeps its header block (about 1.5 KB
 * with these) for as long as the stream is open. Strict-Transport-Security goes too: the page
 * and every JSON answer carry it, and a stream needs no reminder. What stays:
 * `X-Content-Type-Options: nosniff` and `Cross-Origin-Resource-Policy`, which concern any
 * resource a browser fetches.
 */
const DOCUMENT_ONLY_HEADERS = [
  'Content-Security-Policy',
  'Cross-Origin-Opener-Policy',
  'Origin-Agent-Cluster',
  'Referrer-Policy',
  'Strict-Transport-Security',
  'X-DNS-Prefetch-Control',
  'X-Download-Options',
  'X-Frame-Options',
  'X-Permitted-Cross-Domain-Policies',
  'X-XSS-Protection',
] as const;

/** Takes helmet's document-only headers off a response that is about to become an event stream. */
function dropDocumentHeaders(res: ServerResponse): void {
  for (const name of DOCUMENT_ONLY_HEADERS) res.removeHeader(name);
}

/**
 * The socket a response can frame its own chunks on, or undefined when only `res.write` will do.
 *
 * `res.write` corks the socket, defers the uncork to the next tick and hands the chunk's size
 * line, the chunk and its CRLF to the socket as four buffers, written with one `writev`: about
 * 6 µs a write on top of the write itself. With thousands of open streams that is a third of what
 * a write costs in all, so an event stream writes each HTTP/1.1 chunk, framed, as one string
 * straight to its socket. It does so only where that is exactly what `res.write` would send:
 * chunked encoding, headers already on the socket (which a response has once the socket is its
 * own; a pipelined one waits), and a `write` nobody has wrapped (a compressor, say).
 */
function ownSocket(res: ServerResponse): Socket | undefined {
  const { socket } = res;
  if (!res.chunkedEncoding || !res.headersSent || socket === null) return undefined;
  if (res.write !== OutgoingMessage.prototype.write) return undefined;
  return socket;
}

/**
 * One event-stream response. Heartbeats come from one timer shared by all responses (`tick`),
 * and only go out on a response that has been silent since the previous tick.
 */
export class SseResponse {
  readonly res: ServerResponse;
  readonly #socket: Socket | undefined;
  #wroteSinceTick = false;

  constructor(res: ServerResponse) {
    this.res = res;
    dropDocumentHeaders(res);
    res.writeHead(200, STREAM_RESPONSE_HEADERS);
    res.flushHeaders();
    this.#socket = ownSocket(res);
  }

  /** True when the reader went away before the response was finished. */
  get abandoned(): boolean {
    return this.res.destroyed && !this.res.writableFinished;
  }

  /** False means the socket is full: wait for `onDrain` before writing more. */
  write(chunk: string): boolean {
    this.#wroteSinceTick = true;
    const socket = this.#socket;
    if (socket === undefined) return this.res.write(chunk);
    // A socket that is closing takes nothing more; the response's 'close' tells the reader.
    if (!socket.writable) return false;
    return socket.write(`${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n`);
  }

  /** Calls `listener` once, when a full socket has room again. */
  onceDrained(listener: () => void): void {
    (this.#socket ?? this.res).once('drain', listener);
  }

  offDrained(listener: () => void): void {
    (this.#socket ?? this.res).off('drain', listener);
  }

  /** Resolves when a full socket has room again; rejects when `signal` aborts first. */
  async drained(signal: AbortSignal): Promise<void> {
    await once(this.#socket ?? this.res, 'drain', { signal });
  }

  tick(): void {
    const { res } = this;
    const needDrain = (this.#socket ?? res).writableNeedDrain;
    if (!this.#wroteSinceTick && !res.writableEnded && !res.destroyed && !needDrain) {
      this.write(HEARTBEAT_FRAME);
    }
    this.#wroteSinceTick = false;
  }

  /** Ends the response, with `lastChunk` as its last data if given: one write for both. */
  end(lastChunk?: string): void {
    if (this.res.writableEnded) return;
    if (lastChunk === undefined) this.res.end();
    else this.res.end(lastChunk);
  }
}
