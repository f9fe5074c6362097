import type { ServerResponse } from 'node:http';
import { HEARTBEAT_FRAME, STREAM_RESPONSE_HEADERS } from '@gpt-stream/protocol';
import { dropDocumentHeaders } from './security/headers.ts';

/**
 * One event-stream response. Heartbeats come from one timer shared by all responses (`tick`),
 * and only go out on a response that has been silent since the previous tick.
 */
export class SseResponse {
  readonly res: ServerResponse;
  #wroteSinceTick = false;

  constructor(res: ServerResponse) {
    this.res = res;
    dropDocumentHeaders(res);
    res.writeHead(200, STREAM_RESPONSE_HEADERS);
    res.flushHeaders();
  }

  /** True when the reader went away before the response was finished. */
  get abandoned(): boolean {
    return this.res.destroyed && !this.res.writableFinished;
  }

  /** False means the socket is full: wait for 'drain' before writing more. */
  write(chunk: string): boolean {
    this.#wroteSinceTick = true;
    return this.res.write(chunk);
  }

  tick(): void {
    const { res } = this;
    if (!this.#wroteSinceTick && !res.writableEnded && !res.destroyed && !res.writableNeedDrain) {
      res.write(HEARTBEAT_FRAME);
    }
    this.#wroteSinceTick = false;
  }

  end(): void {
    if (!this.res.writableEnded) this.res.end();
  }
}
