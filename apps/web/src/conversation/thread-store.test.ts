import { describe, expect, it } from 'vitest';
import type { Turn } from './thread.ts';
import {
  createThreadStore,
  droppedNotice,
  STORE_NOTICES,
  THREAD_ID_KEY,
  THREAD_KEY_PREFIX,
  type ThreadStorage,
  type ThreadStoreOptions,
  turnsToDrop,
} from './thread-store.ts';

/** localStorage's behaviour, with a quota in characters of keys and values as browsers count. */
class MemoryStorage implements ThreadStorage {
  readonly items = new Map<string, string>();
  constructor(private readonly quota = Number.POSITIVE_INFINITY) {}
  get length() {
    return this.items.size;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    let used = key.length + value.length;
    for (const [other, stored] of this.items) {
      if (other !== key) used += other.length + stored.length;
    }
    if (used > this.quota) {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

/** One browser: a shared localStorage; each tab a sessionStorage and a store of its own. */
function browser(local = new MemoryStorage(), options: Partial<ThreadStoreOptions> = {}) {
  let clock = 1_000;
  let ids = 0;
  return {
    local,
    tab(session = new MemoryStorage()) {
      const store = createThreadStore({
        local: () => local,
        session: () => session,
        now: () => clock++,
        newId: () => `t${++ids}`,
        ...options,
      });
      return { store, session };
    },
  };
}

function exchange(prompt: string, answer: string): Turn[] {
  return [
    { role: 'user', content: prompt },
    { role: 'assistant', content: answer, state: 'done' },
  ];
}

const thread: Turn[] = [
  ...exchange('Hello', 'Hi!\n\n'),
  { role: 'user', content: '  leading spaces, \r\n CRLF, 你好 👩‍👩‍👧' },
  { role: 'assistant', content: 'cut sho', state: 'stopped', streamId: 's-1' },
];

describe('the thread store', () => {
  it('gives a tab an empty thread and an id of its own the first time', () => {
    const { store, session } = browser().tab();
    expect(store.open()).toEqual({ id: 't1', turns: [], notice: null });
    expect(session.getItem(THREAD_ID_KEY)).toBe('t1');
  });

  it('gives a reloaded tab back its thread exactly', () => {
    const b = browser();
    const first = b.tab();
    const { id } = first.store.open();
    expect(first.store.save(id, thread)).toEqual({ saved: true, dropped: 0, notice: null });
    const reloaded = b.tab(first.session).store.open();
    expect(reloaded).toEqual({ id, turns: thread, notice: null });
  });

  it('starts a new tab from a copy of the latest thread, which it never writes over', () => {
    const b = browser();
    const a = b.tab();
    const aId = a.store.open().id;
    a.store.save(aId, exchange('old', 'answer'));
    a.store.save(aId, thread);

    const other = b.tab();
    const opened = other.store.open();
    expect(opened.turns).toEqual(thread);
    expect(opened.id).not.toBe(aId);
    const theirs = [...thread, ...exchange('only in the second tab', 'yes')];
    other.store.save(opened.id, theirs);
    a.store.save(aId, [...thread, ...exchange('only in the first tab', 'no')]);

    expect(b.tab(other.session).store.open().turns).toEqual(theirs);
    expect(b.tab(a.session).store.open().turns.at(-2)?.content).toBe('only in the first tab');
  });

  it.each([
    ['not JSON', '{"updatedAt":1,'],
    ['JSON of another shape', '{"messages":[]}'],
    ['an unknown role', '{"updatedAt":1,"turns":[{"role":"system","content":"x"}]}'],
    [
      'an unknown answer state',
      '{"updatedAt":1,"turns":[{"role":"assistant","content":"x","state":"?"}]}',
    ],
    ['content that is not text', '{"updatedAt":1,"turns":[{"role":"user","content":7}]}'],
    ['an unknown key', '{"updatedAt":1,"turns":[],"extra":true}'],
  ])('discards %s under its key, says so, and starts empty', (_, raw) => {
    const b = browser();
    const tab = b.tab();
    tab.session.setItem(THREAD_ID_KEY, 'mine');
    b.local.setItem(`${THREAD_KEY_PREFIX}mine`, raw);
    const opened = tab.store.open();
    expect(opened).toEqual({ id: 't1', turns: [], notice: STORE_NOTICES.discarded });
    expect(b.local.getItem(`${THREAD_KEY_PREFIX}mine`)).toBeNull();
  });

  it('keeps an answer’s thinking and how long it took, and reads no thinking of the wrong type', () => {
    const b = browser();
    const first = b.tab();
    const { id } = first.store.open();
    const thought: Turn[] = [
      { role: 'user', content: 'Why?' },
      {
        role: 'assistant',
        content: 'Because.',
        state: 'done',
        streamId: 's-2',
        reasoning: 'Let me think.\n\nYes.',
        thoughtMs: 3200,
      },
      { role: 'user', content: 'And?' },
      { role: 'assistant', content: '', state: 'stopped', reasoning: 'Hmm' },
    ];
    first.store.save(id, thought);
    expect(b.tab(first.session).store.open().turns).toEqual(thought);

    const turn = { role: 'assistant', content: 'x', state: 'done' };
    for (const odd of [{ reasoning: 3 }, { thoughtMs: '3 s' }, { reasoning: 'a', extra: 1 }]) {
      const raw = JSON.stringify({ updatedAt: 1, turns: [{ ...turn, ...odd }] });
      const other = browser();
      other.local.setItem(`${THREAD_KEY_PREFIX}odd`, raw);
      expect(other.tab().store.open()).toMatchObject({
        turns: [],
        notice: STORE_NOTICES.discarded,
      });
    }
  });

  it('skips an unreadable latest thread for the next readable one', () => {
    const b = browser();
    const a = b.tab();
    a.store.save(a.store.open().id, thread);
    b.local.setItem(`${THREAD_KEY_PREFIX}broken`, '{"updatedAt":999999,"turns":[{}]}');
    expect(b.tab().store.open()).toMatchObject({ turns: thread, notice: STORE_NOTICES.discarded });
  });

  it('leaves other versions’ entries and other keys alone', () => {
    const b = browser();
    const future = '{"format":"a later page","turns":{}}';
    b.local.setItem('gpt-stream:thread:v2:x', future);
    b.local.setItem('gpt-stream:active-stream', 'unrelated');
    const tab = b.tab();
    expect(tab.store.open()).toEqual({ id: 't1', turns: [], notice: null });
    tab.store.save('t1', thread);
    expect(b.local.getItem('gpt-stream:thread:v2:x')).toBe(future);
    expect(b.local.getItem('gpt-stream:active-stream')).toBe('unrelated');
  });

  it('drops the oldest exchanges when the thread exceeds its bound, and says how many', () => {
    const turns = [...exchange('a'.repeat(400), 'b'.repeat(400)), ...thread];
    const b = browser(new MemoryStorage(), { maxChars: 600 });
    const tab = b.tab();
    const { id } = tab.store.open();
    const result = tab.store.save(id, turns);
    expect(result).toEqual({ saved: true, dropped: 2, notice: droppedNotice(2) });
    expect(b.tab(tab.session).store.open().turns).toEqual(thread);
  });

  it('keeps the last exchange or nothing: a stale copy would come back after a reload', () => {
    const b = browser(new MemoryStorage(), { maxChars: 600 });
    const tab = b.tab();
    tab.store.save('t', exchange('short', 'fits'));
    const long = exchange('x'.repeat(450), 'y');
    expect(tab.store.save('t', [...exchange('short', 'fits'), ...long])).toEqual({
      saved: true,
      dropped: 2,
      notice: droppedNotice(2),
    });
    expect(JSON.parse(b.local.getItem(`${THREAD_KEY_PREFIX}t`) ?? '').turns).toEqual(long);
    expect(tab.store.save('t', exchange('x'.repeat(50), 'y'.repeat(700)))).toEqual({
      saved: false,
      dropped: 0,
      notice: STORE_NOTICES.tooLarge,
    });
    expect(b.local.getItem(`${THREAD_KEY_PREFIX}t`)).toBeNull();
  });

  it('on a full storage removes the other tabs’ threads first, then the oldest exchanges', () => {
    const local = new MemoryStorage(3_000);
    const b = browser(local);
    const other = b.tab();
    other.store.save(other.store.open().id, exchange('p'.repeat(1_400), 'q'.repeat(1_400)));
    const mine = b.tab();
    const id = mine.store.open().id;

    const small = exchange('fits', 'once the other thread is gone');
    expect(mine.store.save(id, small)).toEqual({ saved: true, dropped: 0, notice: null });
    expect(local.getItem(`${THREAD_KEY_PREFIX}t1`)).toBeNull();

    const grown = [...small, ...exchange('r'.repeat(1_500), 's'.repeat(1_300))];
    expect(mine.store.save(id, grown)).toEqual({
      saved: true,
      dropped: 2,
      notice: droppedNotice(2),
    });
    expect(JSON.parse(local.getItem(`${THREAD_KEY_PREFIX}${id}`) ?? '').turns).toEqual(
      grown.slice(2),
    );
    const huge = [...grown, ...exchange('t'.repeat(3_000), 'u')];
    expect(mine.store.save(id, huge)).toEqual({
      saved: false,
      dropped: 0,
      notice: STORE_NOTICES.tooLarge,
    });
    expect(local.length).toBe(0);
  });

  it('keeps at most the bound of threads, the least recently written going first', () => {
    const b = browser(new MemoryStorage(), { maxThreads: 3 });
    const tabs = [b.tab(), b.tab(), b.tab(), b.tab()];
    for (const [index, tab] of tabs.entries()) {
      tab.store.save(`tab${index}`, exchange(`from tab ${index}`, 'ok'));
    }
    tabs[1]?.store.save('tab1', exchange('tab 1 again', 'ok'));
    tabs[2]?.store.save('tab4', exchange('a fifth', 'ok'));
    expect([...b.local.items.keys()].sort()).toEqual(
      ['tab1', 'tab3', 'tab4'].map((id) => THREAD_KEY_PREFIX + id),
    );
  });

  it('never throws when the browser refuses storage altogether', () => {
    const refuse = () => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    };
    const store = createThreadStore({ local: refuse, session: refuse, newId: () => 'n' });
    expect(store.open()).toEqual({ id: 'n', turns: [], notice: STORE_NOTICES.unavailable });
    expect(store.save('n', thread)).toEqual({
      saved: false,
      dropped: 0,
      notice: STORE_NOTICES.unavailable,
    });
  });
});

describe('turnsToDrop', () => {
  const size = (turns: Turn[]) =>
    JSON.stringify({ updatedAt: Number.MAX_SAFE_INTEGER, turns }).length;

  it('drops nothing from a thread that fits, exactly at the bound too', () => {
    expect(turnsToDrop(thread, size(thread))).toBe(0);
    expect(turnsToDrop(thread, size(thread) - 1)).toBe(2);
  });

  it('drops whole exchanges, answers that follow an answer included', () => {
    const turns: Turn[] = [
      ...exchange('one', '1'),
      { role: 'assistant', content: 'a second answer', state: 'done' },
      ...exchange('two', '2'),
    ];
    expect(turnsToDrop(turns, size(turns.slice(3)))).toBe(3);
    expect(turnsToDrop(turns, size(turns.slice(3)) - 1)).toBeNull();
  });
});
