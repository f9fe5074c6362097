// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { idleSave } from './idle-save.ts';

describe('idleSave', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('saves once, later, however often it is asked meanwhile', () => {
    const save = vi.fn();
    const saving = idleSave(save);
    saving.soon();
    saving.soon();
    expect(save).not.toHaveBeenCalled();
    vi.runAllTimers();
    expect(save).toHaveBeenCalledOnce();
    saving.soon();
    vi.runAllTimers();
    expect(save).toHaveBeenCalledTimes(2);
  });

  it('saves at once when the page is left with a save waiting, and not again later', () => {
    const save = vi.fn();
    const saving = idleSave(save);
    saving.now();
    expect(save).not.toHaveBeenCalled();
    saving.soon();
    saving.now();
    expect(save).toHaveBeenCalledOnce();
    vi.runAllTimers();
    expect(save).toHaveBeenCalledOnce();
  });
});
