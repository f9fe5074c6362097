/*
 * Summarises a V8 CPU profile (`--cpu-prof`): where the process spent its own time, by function
 * and by where the code lives (node internals, express and its dependencies, the protocol, the
 * server's own source), so an optimisation starts from a measurement.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a function's code lives, in the terms an optimisation would be planned in. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const dependency = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(
    url,
  );
  if (dependency) return dependency[1] as string;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  if (url.includes('/packages/protocol/')) return '@gpt-stream/protocol';
  return 'own code';
}

export function summariseProfile(profile: Profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let total = 0;
  for (const [id, micros] of selfMicros) {
    const { functionName, url, lineNumber } = (byId.get(id) as ProfileNode).callFrame;
    if (functionName === '(idle)') continue;
    total += micros;
    const where = url
      ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(apps|packages)\//, '$1/')}:${lineNumber + 1}`
      : '';
    const name = `${functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    const area = areaOf(url, functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + micros);
  }
  const ranked = (map: Map<string, number>, count: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, micros]) => ({ name, ms: micros / 1000, share: micros / total }));
  return { busyMs: total / 1000, areas: ranked(byArea, 15), functions: ranked(byFunction, 30) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node bench/dist/profile-summary.js FILE.cpuprofile');
    process.exit(1);
  }
  const summary = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as Profile);
  const line = ({ name, ms, share }: { name: string; ms: number; share: number }) =>
    `${(share * 100).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms  ${name}`;
  console.log(`busy ${summary.busyMs.toFixed(0)} ms (idle excluded)\n\nby area:`);
  for (const entry of summary.areas) console.log(line(entry));
  console.log('\nby function (self time):');
  for (const entry of summary.functions) console.log(line(entry));
}
