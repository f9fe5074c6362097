import { ANSWER_STATES, type AnswerState, type Turn } from './thread.ts';

/**
 * Threads live in localStorage, one entry per tab's thread under `THREAD_KEY_PREFIX + id`, so that
 * they outlive the tab. Each tab keeps the id of its own thread in sessionStorage (which survives
 * a reload, not a close) and writes only that entry: two tabs never write over each other. A new
 * tab starts from a copy of the thread written most recently, under an id of its own.
 */
export const THREAD_KEY_PREFIX = 'gpt-stream:thread:v1:';
export const THREAD_ID_KEY = 'gpt-stream:thread-id';
/** Characters of one stored thread (JSON); about 2 MB of the 5 to 10 MB a browser allows. */
export const MAX_THREAD_CHARS = 1_000_000;
/** Threads kept in all; those of tabs long closed go first. */
export const MAX_STORED_THREADS = 4;

export type ThreadStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;
type SessionStorage = Pick<Storage, 'getItem' | 'setItem'>;

export interface ThreadStoreOptions {
  local: () => ThreadStorage;
  session: () => SessionStorage;
  now?: () => number;
  newId?: () => string;
  maxChars?: number;
  maxThreads?: number;
}

export interface OpenedThread {
  id: string;
  turns: Turn[];
  /** What the reader should know: a stored thread that was unreadable and discarded. */
  notice: string | null;
}

export type SaveResult =
  | { saved: true; dropped: number; notice: string | null }
  | { saved: false; dropped: 0; notice: string };

export interface ThreadStore {
  /** This tab's thread: its own after a reload, else a copy of the latest, else an empty one. */
  open(): OpenedThread;
  /**
   * Stores the thread. When it would not fit, its oldest exchanges go first, never the last one:
   * `dropped` says how many turns the stored copy lost, for the page to drop them too.
   */
  save(id: string, turns: readonly Turn[]): SaveResult;
  /** A fresh id for this tab, kept in its sessionStorage. */
  claimNewId(): string;
}

export const STORE_NOTICES = {
  discarded: 'A saved conversation could not be read and was discarded.',
  tooLarge:
    'This conversation is too large for the browser’s storage: it will not survive a reload.',
  unavailable:
    'The browser’s storage is not available: the conversation will not survive a reload.',
} as const;

export function droppedNotice(dropped: number): string {
  return `The oldest ${dropped} messages were removed: the conversation no longer fit in the browser’s storage.`;
}

interface StoredThread {
  updatedAt: number;
  turns: Turn[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Only what this store writes: anything else is foreign, or a format of another version. */
function isTurn(value: unknown): value is Turn {
  if (!isRecord(value) || typeof value.content !== 'string') return false;
  const keys = Object.keys(value).length;
  if (value.role === 'user') return keys === 2;
  if (value.role !== 'assistant') return false;
  if (!ANSWER_STATES.includes(value.state as AnswerState)) return false;
  // Optional fields: each one present must have its type, and nothing else may be there.
  const optional = [
    ['streamId', 'string'],
    ['reasoning', 'string'],
    ['thoughtMs', 'number'],
  ] as const;
  let present = 0;
  for (const [key, type] of optional) {
    if (value[key] === undefined) continue;
    if (typeof value[key] !== type) return false;
    present++;
  }
  return keys === 3 + present;
}

function parseStored(raw: string): StoredThread | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isRecord(value) || Object.keys(value).length !== 2) return null;
  const { updatedAt, turns } = value;
  if (typeof updatedAt !== 'number' || !Array.isArray(turns) || !turns.every(isTurn)) return null;
  return { updatedAt, turns };
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Browsers name the error differently (Firefox once used NS_ERROR_DOM_QUOTA_REACHED). */
function isQuotaError(error: unknown): boolean {
  return error instanceof Error && /quota/i.test(`${error.name} ${error.message}`);
}

export function createThreadStore(options: ThreadStoreOptions): ThreadStore {
  const now = options.now ?? Date.now;
  const newId = options.newId ?? randomId;
  const maxChars = options.maxChars ?? MAX_THREAD_CHARS;
  const maxThreads = options.maxThreads ?? MAX_STORED_THREADS;

  function claimNewId(): string {
    const id = newId();
    try {
      options.session().setItem(THREAD_ID_KEY, id);
    } catch {
      // Without sessionStorage a reload starts from the latest thread: still the reader's own.
    }
    return id;
  }

  /** The stored thread under `key`; an unreadable one is removed, and null. */
  function read(local: ThreadStorage, key: string): StoredThread | null | 'discarded' {
    const raw = local.getItem(key);
    if (raw === null) return null;
    const thread = parseStored(raw);
    if (thread) return thread;
    local.removeItem(key);
    return 'discarded';
  }

  function open(): OpenedThread {
    let ownId: string | null = null;
    try {
      ownId = options.session().getItem(THREAD_ID_KEY);
    } catch {
      ownId = null;
    }
    try {
      const local = options.local();
      let notice: string | null = null;
      if (ownId !== null) {
        const own = read(local, THREAD_KEY_PREFIX + ownId);
        if (own === 'discarded') notice = STORE_NOTICES.discarded;
        else if (own) return { id: ownId, turns: own.turns, notice };
      }
      // A new tab, or one whose thread was removed to make room: a copy of the latest, so that
      // the tab it came from keeps its own. Only the threads tried are read, newest first.
      const byAge = threadKeys(local)
        .map((key) => ({ key, updatedAt: updatedAtOf(local.getItem(key)) }))
        .sort((a, b) => b.updatedAt - a.updatedAt);
      for (const { key } of byAge) {
        const thread = read(local, key);
        if (thread === 'discarded') notice = STORE_NOTICES.discarded;
        else if (thread) return { id: claimNewId(), turns: thread.turns, notice };
      }
      return { id: claimNewId(), turns: [], notice };
    } catch {
      return { id: ownId ?? claimNewId(), turns: [], notice: STORE_NOTICES.unavailable };
    }
  }

  /**
   * Removes other tabs' threads beyond the bound, least recently written first, or with `all`
   * every one of them; true when it removed any. Only the keys are listed unless there are too
   * many: a save must not read every other thread.
   */
  function pruneOthers(ownKey: string, all: boolean): boolean {
    const local = options.local();
    const others = threadKeys(local).filter((key) => key !== ownKey);
    const keep = all ? 0 : maxThreads - 1;
    if (others.length <= keep) return false;
    const byAge = others
      .map((key) => ({ key, updatedAt: updatedAtOf(local.getItem(key)) }))
      .sort((a, b) => b.updatedAt - a.updatedAt);
    for (const { key } of byAge.slice(keep)) local.removeItem(key);
    return true;
  }

  function save(id: string, turns: readonly Turn[]): SaveResult {
    const key = THREAD_KEY_PREFIX + id;
    const tooLarge = () => {
      options.local().removeItem(key);
      return { saved: false, dropped: 0, notice: STORE_NOTICES.tooLarge } as const;
    };
    try {
      pruneOthers(key, false);
      let value = serialise(now(), turns);
      let dropped = 0;
      if (value.length > maxChars) {
        const drop = turnsToDrop(turns, maxChars);
        if (drop === null) return tooLarge();
        dropped = drop;
        value = serialise(now(), turns.slice(dropped));
      }
      // Dropping more than this would lose the last exchange.
      const most = turns.findLastIndex((turn) => turn.role === 'user');
      // Bounded: each failed write removes the other threads or drops at least one exchange.
      for (;;) {
        try {
          options.local().setItem(key, value);
          return { saved: true, dropped, notice: dropped > 0 ? droppedNotice(dropped) : null };
        } catch (error) {
          if (!isQuotaError(error)) throw error;
          if (pruneOthers(key, true)) continue;
          if (dropped >= most) return tooLarge();
          // The quota is not known: a tenth less each time, so a few rounds find it.
          dropped = Math.min(most, turnsToDrop(turns, Math.floor(value.length * 0.9)) ?? most);
          value = serialise(now(), turns.slice(dropped));
        }
      }
    } catch {
      return { saved: false, dropped: 0, notice: STORE_NOTICES.unavailable };
    }
  }

  return { open, save, claimNewId };
}

function threadKeys(local: ThreadStorage): string[] {
  const keys: string[] = [];
  for (let index = 0; index < local.length; index++) {
    const key = local.key(index);
    if (key?.startsWith(THREAD_KEY_PREFIX)) keys.push(key);
  }
  return keys;
}

/**
 * `updatedAt` leads every value this store writes, so the age of a thread is read without
 * parsing it; anything else counts as the oldest.
 */
function updatedAtOf(raw: string | null): number {
  const match = /^\{"updatedAt":(\d+)[,}]/.exec(raw?.slice(0, 40) ?? '');
  return match ? Number(match[1]) : 0;
}

const ENVELOPE_CHARS = serialise(Number.MAX_SAFE_INTEGER, []).length;

function serialise(updatedAt: number, turns: readonly Turn[]): string {
  return JSON.stringify({ updatedAt, turns });
}

/**
 * How many of the oldest turns to leave out so that the rest fits in `budget` characters: whole
 * exchanges, so that the stored thread still starts with a prompt, and never the last one. Null
 * when even the last exchange does not fit. Each turn is measured once: linear in the thread.
 */
export function turnsToDrop(turns: readonly Turn[], budget: number): number | null {
  const sizes = turns.map((turn) => JSON.stringify(turn).length + 1);
  // Less one: the last turn has no comma after it.
  let total =
    ENVELOPE_CHARS + sizes.reduce((sum, size) => sum + size, 0) - Math.min(1, turns.length);
  const lastPrompt = turns.findLastIndex((turn) => turn.role === 'user');
  let dropped = 0;
  while (total > budget) {
    // The next exchange: its prompt and every answer up to the following prompt.
    let end = dropped + 1;
    while (end < turns.length && turns[end]?.role !== 'user') end++;
    if (end > lastPrompt) return null;
    for (; dropped < end; dropped++) total -= sizes[dropped] ?? 0;
  }
  return dropped;
}
