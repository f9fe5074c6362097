import { describe, expect, it } from 'vitest';
import { loadedWith } from './chunk-graph.ts';

const graph: Record<string, string[]> = {
  'index.js': ['shared.js'],
  'shared.js': ['deep.js', 'index.js'],
  'deep.js': [],
  'highlighter.js': ['shared.js'],
};
const importsOf = (file: string) => graph[file];

describe('loadedWith', () => {
  it('follows static imports however deep, through cycles, and stops at unknown files', () => {
    expect([...loadedWith(['index.js'], importsOf)].sort()).toEqual([
      'deep.js',
      'index.js',
      'shared.js',
    ]);
    expect([...loadedWith(['highlighter.js'], importsOf)].sort()).toEqual([
      'deep.js',
      'highlighter.js',
      'index.js',
      'shared.js',
    ]);
    expect([...loadedWith(['missing.js'], importsOf)]).toEqual([]);
  });
});
