import { describe, expect, it } from 'vitest';
import { areaOf, summariseProfile } from './profile-summary.ts';

describe('areaOf', () => {
  it('names the package a function comes from', () => {
    expect(
      areaOf(
        'file:///r/node_modules/.pnpm/express@5.2.1/node_modules/express/lib/response.js',
        'f',
      ),
    ).toBe('express');
    expect(areaOf('file:///r/node_modules/.pnpm/@scope+x@1/node_modules/@scope/x/i.js', 'f')).toBe(
      '@scope/x',
    );
    expect(areaOf('node:internal/streams/writable', 'write')).toBe('node:internal');
    expect(areaOf('file:///r/packages/protocol/src/sse-encoder.ts', 'encodeEvent')).toBe(
      '@gpt-stream/protocol',
    );
    expect(areaOf('file:///r/apps/server/src/stream-session.ts', 'send')).toBe('own code');
    expect(areaOf('', '(garbage collector)')).toBe('(garbage collector)');
  });
});

describe('summariseProfile', () => {
  it('adds up self time per function and area, leaving idle time out', () => {
    const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0 });
    const summary = summariseProfile({
      nodes: [
        { id: 1, callFrame: frame('(idle)') },
        { id: 2, callFrame: frame('write', 'node:net') },
        { id: 3, callFrame: frame('send', 'file:///r/apps/server/src/stream-session.ts') },
      ],
      samples: [1, 2, 3, 2, 1],
      timeDeltas: [5000, 1000, 1000, 2000, 5000],
    });
    expect(summary.busyMs).toBe(4);
    expect(summary.areas).toEqual([
      { name: 'node:net', ms: 3, share: 0.75 },
      { name: 'own code', ms: 1, share: 0.25 },
    ]);
    expect(summary.functions[0]).toMatchObject({ name: 'write node:net:1', ms: 3 });
  });
});
