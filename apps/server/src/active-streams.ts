import type { StreamEventData } from '@gpt-stream/protocol';

/** Why the server itself ends a stream early; sent to the reader as the terminal `error` event. */
export type StopReason = StreamEventData<'error'>;

/** The streams in flight: counted for health checks, and reachable to end them all on shutdown. */
export class ActiveStreams {
  readonly #stops = new Map<string, (reason: StopReason) => void>();

  get size(): number {
    return this.#stops.size;
  }

  /** Registers a stream; the returned function removes it. */
  add(streamId: string, stop: (reason: StopReason) => void): () => void {
    this.#stops.set(streamId, stop);
    return () => {
      this.#stops.delete(streamId);
    };
  }

  stopAll(reason: StopReason): void {
    for (const stop of [...this.#stops.values()]) stop(reason);
  }
}
