import { describe, expect, it } from 'vitest';
import { loadRenderMode, saveRenderMode } from './render-mode.ts';

function memoryStorage(): Storage {
  const values = new Map<string, string>();
  return {
    get length() {
      return values.size;
    },
    clear: () => values.clear(),
    getItem: (key) => values.get(key) ?? null,
    key: (index) => [...values.keys()][index] ?? null,
    removeItem: (key) => void values.delete(key),
    setItem: (key, value) => void values.set(key, value),
  };
}

describe('render mode storage', () => {
  it('is Markdown until a mode is saved, then the saved one', () => {
    const storage = memoryStorage();
    expect(loadRenderMode(() => storage)).toBe('markdown');
    saveRenderMode(() => storage, 'text');
    expect(loadRenderMode(() => storage)).toBe('text');
  });

  it('ignores a foreign value and storage that throws', () => {
    const storage = memoryStorage();
    storage.setItem('gpt-stream:render-mode', 'html');
    expect(loadRenderMode(() => storage)).toBe('markdown');
    const broken = () => {
      throw new Error('SecurityError');
    };
    expect(loadRenderMode(broken)).toBe('markdown');
    expect(() => saveRenderMode(broken, 'text')).not.toThrow();
  });
});
