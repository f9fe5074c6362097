import type { StreamPosition } from './stream-client.ts';

/** Remembers the stream in flight across a reload of this tab (and only this tab). */
export interface SavedStream {
  load(): StreamPosition | null;
  save(position: StreamPosition): void;
  clear(): void;
}

export const SAVED_STREAM_KEY = 'gpt-stream:active-stream';

type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/**
 * sessionStorage, because it belongs to one tab and survives its reloads but not its closing.
 * Storage can be missing or refuse writes (privacy modes, quotas): then the page simply cannot
 * resume after a reload, which must never break the stream itself.
 */
export function createSavedStream(storage: () => KeyValueStorage): SavedStream {
  return {
    load() {
      try {
        return parsePosition(storage().getItem(SAVED_STREAM_KEY));
      } catch {
        return null;
      }
    },
    save(position) {
      try {
        storage().setItem(SAVED_STREAM_KEY, JSON.stringify(position));
      } catch {
        // Resuming after a reload is a bonus; the stream goes on without it.
      }
    },
    clear() {
      try {
        storage().removeItem(SAVED_STREAM_KEY);
      } catch {
        // Nothing was saved, or nothing can be.
      }
    },
  };
}

/** Anything else under the key (an older page's format, a hand edit) is ignored, not trusted. */
function parsePosition(raw: string | null): StreamPosition | null {
  if (raw === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { streamId, lastEventId } = value as Record<string, unknown>;
  if (typeof streamId !== 'string' || streamId === '') return null;
  return { streamId, lastEventId: typeof lastEventId === 'string' ? lastEventId : null };
}
