import { describe, expect, it } from 'vitest';
import { createSavedStream, SAVED_STREAM_KEY } from './saved-stream.ts';

function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

describe('createSavedStream', () => {
  it('keeps the stream id and the last event id until cleared', () => {
    const storage = memoryStorage();
    const saved = createSavedStream(() => storage);

    expect(saved.load()).toBeNull();
    saved.save({ streamId: 's1', lastEventId: 's1:7' });
    expect(saved.load()).toEqual({ streamId: 's1', lastEventId: 's1:7' });
    saved.clear();
    expect(saved.load()).toBeNull();
    expect(storage.items.size).toBe(0);
  });

  it.each([
    ['not JSON', '{'],
    ['JSON null', 'null'],
    ['no stream id', '{"lastEventId":"s:1"}'],
    ['an empty stream id', '{"streamId":""}'],
    ['a numeric stream id', '{"streamId":5}'],
  ])('ignores a saved value that is %s', (_name, raw) => {
    const saved = createSavedStream(() => memoryStorage({ [SAVED_STREAM_KEY]: raw }));
    expect(saved.load()).toBeNull();
  });

  it('reads a missing last event id as none', () => {
    const saved = createSavedStream(() =>
      memoryStorage({ [SAVED_STREAM_KEY]: '{"streamId":"s"}' }),
    );
    expect(saved.load()).toEqual({ streamId: 's', lastEventId: null });
  });

  it('never throws when storage is unavailable or full', () => {
    const saved = createSavedStream(() => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    });
    expect(saved.load()).toBeNull();
    expect(() => saved.save({ streamId: 's', lastEventId: null })).not.toThrow();
    expect(() => saved.clear()).not.toThrow();
  });
});
