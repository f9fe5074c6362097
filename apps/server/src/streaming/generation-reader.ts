import { createStreamEncoder, type StreamEncoder } from '@gpt-stream/protocol';
import { firstSeqAfter } from '../store/replay.ts';
import type { Flushable, FlushScheduler } from './flush-scheduler.ts';
import type { Generation, GenerationReader } from './generation.ts';
import type { SseResponse } from './sse-response.ts';

/** Frames are joined into one write up to about this many characters. */
const WRITE_CHUNK_CHARS = 64 * 1024;

/**
 * Writes a generation running in this process to one response, straight from its log in memory:
 * first everything after the reader's position, then the events as they come. It writes once per
 * turn of the event loop (see FlushScheduler), all the frames that are ready in one write; when
 * the socket is full it waits for 'drain' while the model goes on, then catches up from the log,
 * unless it fell more than `maxLagBytes` behind meanwhile.
 */
export class GenerationFollower implements GenerationReader, Flushable {
  readonly #generation: Generation;
  readonly #out: SseResponse;
  readonly #flushes: FlushScheduler;
  readonly #maxLagBytes: number;
  #encoder: StreamEncoder | undefined;
  /** The next sequence number this reader needs. */
  #next: number;
  #blocked = false;
  /** The log's size when the socket filled up. */
  #blockedAtBytes = 0;
  #done = false;
  scheduled = false;

  constructor(
    generation: Generation,
    out: SseResponse,
    afterSeq: number,
    flushes: FlushScheduler,
    /**
     * How far the reader may fall behind, in bytes of the stream's log (EventLog.bytes: about
     * two per character), while its socket stays full; past it the reader is cut, like a
     * dropped connection, and can resume from the log. It also bounds what a reader piles up in
     * the server's socket buffers: about one write chunk while the stream runs, and this much
     * more when the stream ends while the reader is behind.
     */
    maxLagBytes: number,
  ) {
    this.#generation = generation;
    this.#out = out;
    this.#flushes = flushes;
    this.#maxLagBytes = maxLagBytes;
    this.#next = afterSeq + 1;
  }

  start(): void {
    this.#out.res.on('close', this.#onClose);
    this.#generation.attach(this);
    if (this.#out.abandoned) this.#leave();
    else this.pump();
  }

  /** The log grew: write at the end of this turn, with whatever else it brings. */
  pump(): void {
    if (!this.#done) this.#flushes.schedule(this);
  }

  flush(): void {
    if (this.#done) return;
    const { log } = this.#generation;
    const ended = log.terminal !== undefined;
    if (this.#blocked && log.bytes - this.#blockedAtBytes > this.#maxLagBytes) {
      this.#cut();
      return;
    }
    // The stream ended (a stop, a shutdown) while this socket was full, and the reader is less
    // than the bound behind: the rest joins the buffer, and ending the response lets the server
    // close the connection instead of waiting on a reader that may never read again.
    const flushAll = this.#blocked && ended;
    if (this.#blocked && !flushAll) return;
    if (flushAll) {
      this.#out.offDrained(this.#onDrain);
      this.#blocked = false;
    }
    let forcedBytes = 0;
    const end = log.length;
    this.#encoder ??= createStreamEncoder(log.streamId);
    const encoder = this.#encoder;
    for (let seq = log.firstFrom(firstSeqAfter(this.#next - 1, end, ended)); seq < end; ) {
      let chunk = '';
      for (; seq < end && chunk.length < WRITE_CHUNK_CHARS; seq = log.firstFrom(seq + 1)) {
        const text = log.textAt(seq);
        chunk +=
          text === undefined ? encoder.event(log.eventAt(seq), seq) : encoder.delta(text, seq);
      }
      this.#next = seq;
      // A reader that was replaying a long stream when its socket filled may be far behind.
      if (flushAll) forcedBytes += 2 * chunk.length;
      if (forcedBytes > this.#maxLagBytes) {
        this.#cut();
        return;
      }
      // The last events of a stream leave with the end of the response, in one write; and
      // ending flushes whatever is still buffered, so there is no 'drain' to wait for.
      if (ended && seq === end) {
        this.#finish(chunk);
        return;
      }
      if (!this.#out.write(chunk) && !flushAll) {
        this.#block();
        return;
      }
    }
    if (ended) this.#finish();
  }

  #block(): void {
    this.#blocked = true;
    this.#blockedAtBytes = this.#generation.log.bytes;
    this.#out.onceDrained(this.#onDrain);
  }

  readonly #onDrain = (): void => {
    this.#blocked = false;
    this.flush();
  };

  /** Too far behind: the connection is closed, as if it had dropped, and the reader may resume. */
  #cut(): void {
    this.#leave();
    this.#out.res.destroy();
  }

  // `req` emits 'close' as soon as a POST body is read; only the response tells that the reader
  // has gone, and only while it has not been finished by us.
  readonly #onClose = (): void => {
    if (!this.#out.res.writableFinished) this.#leave();
  };

  #leave(): void {
    if (this.#done) return;
    this.#done = true;
    this.#out.offDrained(this.#onDrain);
    this.#blocked = false;
    this.#generation.detach(this);
  }

  #finish(lastChunk?: string): void {
    this.#done = true;
    this.#out.res.off('close', this.#onClose);
    this.#out.end(lastChunk);
    this.#generation.detach(this);
  }
}
