import {
  ERROR_CODES,
  MAX_EVENT_SEQUENCE,
  type StoreState,
  type StreamEvent,
} from '@gpt-stream/protocol';
import type { StreamError } from '../models/model-failure.ts';
import type { EventLog } from './event-log.ts';

export interface StoredEvent {
  seq: number;
  event: StreamEvent;
}

/** Events in sequence order, a batch at a time; a replay may be a plain array of batches. */
export type EventBatches = AsyncIterable<readonly StoredEvent[]> | Iterable<readonly StoredEvent[]>;

/**
 * Why a store asks this process to end one of its streams: a stop sent to another instance, or
 * the stream already ended with `INSTANCE_LOST` because this instance's lease ran out (it
 * stalled, or lost Redis, for longer than the lease), so that the stream keeps one terminal event.
 */
export type StopCause = 'stop' | 'instance_lost';

/** The terminal event of a stream whose generating instance stopped answering. */
export const INSTANCE_LOST: StreamError = {
  code: ERROR_CODES.instanceLost,
  message: 'The server generating this answer stopped responding. Regenerate to try again.',
  retryable: true,
};

/**
 * The sequence number of INSTANCE_LOST, whoever writes it: the highest an event id carries.
 *
 * A reader attached to the generating instance has every event that instance sent, and the
 * instance may die before those reach the store (they leave once per turn, and an outage or a
 * slow Redis holds back any number of them). Numbered right after the last stored event, the
 * loss would reuse a number such a reader already has: the page would drop it as a replay, and a
 * standard EventSource reconnecting with that id would be told 204, nothing left, so neither would
 * learn of the loss. No gap "larger than what can be in flight" exists, since nothing bounds what
 * an outage holds back; the end of the id space does bound it: every reader, however far it got,
 * is before this number and receives the loss, and a reader that has it reconnects with this
 * number and gets 204. The instance that learns late that its lease ran out numbers its own
 * ending the same, so a stream has one terminal event whichever instance a reader asks.
 * Readers skip the unused numbers: ids grow but need not be contiguous (see EventLog).
 */
export const INSTANCE_LOST_SEQ = MAX_EVENT_SEQUENCE;

/**
 * Where resumable streams are kept: in this process (`memory-store.ts`) or in Redis, shared by
 * every instance (`redis-store.ts`). Generations running here are read from their own log in
 * memory; the store serves everything else: finished streams, and streams generated elsewhere.
 */
export interface StreamStore {
  /**
   * A resumable stream starts here. The store keeps `log` itself (memory) or copies its events
   * as they come (Redis). False when it has no room; the stream must then not start.
   */
  add(log: EventLog): boolean;
  /** `log` has new events. Called after each one, in order; never throws. Redis copies them once per turn. */
  appended(log: EventLog): void;
  /**
   * `log` has its terminal event. Resolves once the store holds every event (never rejects);
   * from then on the stream stays resumable for the retention time.
   */
  ended(log: EventLog): Promise<void>;
  /**
   * The events after `afterSeq` of a stream no generation of this process runs, in batches,
   * following it to its terminal event while it is still generated elsewhere. When `afterSeq` is
   * at or past the terminal event, that event alone. Undefined when the stream is unknown or
   * expired.
   */
  read(streamId: string, afterSeq: number, signal: AbortSignal): Promise<EventBatches | undefined>;
  /**
   * Asks the instance that runs `streamId` to stop it (see `onStopRequest`). False when the
   * stream is unknown or expired.
   */
  requestStop(streamId: string): Promise<boolean>;
  /** `stop` runs for each stream of this process that must end (see StopCause). */
  onStopRequest(stop: (streamId: string, cause: StopCause) => void): void;
  /** For health checks: which store, and whether it answers just now. */
  state(): StoreState;
  close(): Promise<void>;
}
