/** How long a save may wait for an idle moment. */
const SAVE_TIMEOUT_MS = 1000;

export interface IdleSave {
  /** Saves in the next idle moment, once however often it is asked. */
  soon(): void;
  /** Saves now if a save is waiting: the page is being hidden or left. */
  now(): void;
}

/**
 * Storing a thread means serialising all of it and a synchronous localStorage write, which
 * for a long thread takes milliseconds and at times tens of them: done when a stream starts or
 * ends, it would delay the first text or the final state. In idle time it delays nothing; a page
 * hidden or left before then saves at once.
 */
export function idleSave(save: () => void): IdleSave {
  let waiting: number | null = null;
  const idle = typeof requestIdleCallback === 'function';
  function run(): void {
    waiting = null;
    save();
  }
  return {
    soon() {
      waiting ??= idle
        ? requestIdleCallback(run, { timeout: SAVE_TIMEOUT_MS })
        : window.setTimeout(run, 1);
    },
    now() {
      if (waiting === null) return;
      if (idle) cancelIdleCallback(waiting);
      else window.clearTimeout(waiting);
      run();
    },
  };
}
