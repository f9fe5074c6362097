import { describe, expect, it, vi } from 'vitest';
import { canMove, createStateMachine, isActive, STREAM_STATES } from './stream-state.ts';

describe('stream states', () => {
  it('go idle, connecting, streaming, then one of done, stopped or error', () => {
    const moves = vi.fn();
    const machine = createStateMachine(moves);
    for (const state of ['connecting', 'streaming', 'done'] as const) machine.move(state);
    expect(machine.state).toBe('done');
    expect(moves.mock.calls).toEqual([
      ['connecting', 'idle'],
      ['streaming', 'connecting'],
      ['done', 'streaming'],
    ]);
  });

  it('let a broken stream reconnect and a retry wait in connecting', () => {
    expect(canMove('streaming', 'connecting')).toBe(true);
    expect(canMove('connecting', 'connecting')).toBe(true);
  });

  it('start a new stream from any final state, never from an active one', () => {
    for (const from of ['idle', 'done', 'stopped', 'error'] as const) {
      expect(canMove(from, 'connecting')).toBe(true);
    }
    expect(canMove('streaming', 'streaming')).toBe(false);
  });

  it('never reach streaming without connecting, nor leave a final state for another', () => {
    expect(canMove('idle', 'streaming')).toBe(false);
    expect(canMove('done', 'streaming')).toBe(false);
    expect(canMove('done', 'stopped')).toBe(false);
    expect(canMove('stopped', 'done')).toBe(false);
  });

  it('throw on an illegal move and keep the state they had', () => {
    const machine = createStateMachine(() => {});
    expect(() => machine.move('done')).toThrow('A stream cannot go from idle to done.');
    expect(machine.state).toBe('idle');
  });

  it('count only connecting and streaming as active', () => {
    expect(STREAM_STATES.filter(isActive)).toEqual(['connecting', 'streaming']);
  });
});
