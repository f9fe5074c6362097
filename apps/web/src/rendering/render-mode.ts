import { isRenderMode, type RenderMode } from './markdown/answer-renderer.ts';

const KEY = 'gpt-stream:render-mode';

/** The mode the reader chose last, kept across reloads; Markdown until they choose. */
export function loadRenderMode(storage: () => Storage): RenderMode {
  try {
    const value = storage().getItem(KEY);
    return isRenderMode(value) ? value : 'markdown';
  } catch {
    return 'markdown';
  }
}

export function saveRenderMode(storage: () => Storage, mode: RenderMode): void {
  try {
    storage().setItem(KEY, mode);
  } catch {
    // Storage refused (private mode, quota): the choice holds for this page only.
  }
}
