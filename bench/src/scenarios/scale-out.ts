/*
 * Scale-out with a loss: three production servers on one Redis behind Debian's nginx (the site
 * of docs/operations.md), slow streams spread over them by round robin, and one instance killed
 * (SIGKILL) while they run. Every reader resumes through nginx when its connection is cut, as
 * the page does.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Cluster, startCluster } from '@gpt-stream/e2e/cluster';
import {
  API_PATHS,
  chatStreamPath,
  decodeStreamEvent,
  ERROR_CODES,
  MAX_EVENT_SEQUENCE,
  type StreamEvent,
} from '@gpt-stream/protocol';
import { createParser } from 'eventsource-parser';
import { answerFor, type StreamRequest } from '../load/workload.ts';
import type { Metric } from '../measure/report.ts';
import { median } from '../measure/stats.ts';

export interface ScaleOutSettings {
  streams: number;
  tokens: number;
  /** How long after every stream has started the instance is killed. */
  killAfterMs: number;
}

/** A reader resumes at most this often after a cut, as the page does. */
const RESUMES = 3;

interface Read {
  text: string;
  lastId: string;
  nextSeq: number;
  terminal?: { event: StreamEvent; at: number };
  broken?: string;
  /** The loss came with an id below one the reader already had. */
  lossBehind?: boolean;
}

function isLoss(event: StreamEvent): boolean {
  return (
    event.type === 'error' && event.data.code === ERROR_CODES.instanceLost && event.data.retryable
  );
}

/** Reads one response into `read`; returns when it ends, whole or cut. */
async function readInto(response: Response, read: Read): Promise<void> {
  const parser = createParser({
    onEvent(message) {
      const decoded = decodeStreamEvent(message.event ?? '', message.data);
      const seq = Number(message.id?.slice(message.id.lastIndexOf(':') + 1));
      if (!decoded.ok) read.broken = decoded.reason;
      else if (isLoss(decoded.event) && seq < read.nextSeq) {
        // The instance died before it stored the last events this reader had from it.
        read.lossBehind = true;
      } else if (seq !== read.nextSeq && !(isLoss(decoded.event) && seq === MAX_EVENT_SEQUENCE)) {
        // The loss alone is numbered past every other event, wherever the stream stopped.
        read.broken = `event ${seq} where ${read.nextSeq} was due`;
      }
      if (!decoded.ok || read.broken) return;
      read.nextSeq = seq + 1;
      read.lastId = message.id ?? '';
      const { event } = decoded;
      if (event.type === 'delta') read.text += event.data.text;
      if (event.type === 'done' || event.type === 'error')
        read.terminal = { event, at: Date.now() };
    },
  });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body ?? [])
      parser.feed(decoder.decode(chunk, { stream: true }));
  } catch {
    // Cut: what arrived is what the reader has.
  }
}

type Outcome =
  | { kind: 'exact'; at: number }
  | { kind: 'lost'; at: number; behind: boolean }
  | { kind: 'failed'; reason: string };

/** One reader: a POST through nginx, then resumes through nginx until the stream has ended. */
async function runReader(
  cluster: Cluster,
  request: StreamRequest,
  onStarted: (instance: string) => void,
): Promise<{ instance: string; outcome: Outcome }> {
  const expected = answerFor(request).tokens.join('');
  let response = await fetch(`${cluster.url}${API_PATHS.chat}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(request),
  });
  const instance = new URL(cluster.servedBy(response.headers.get('x-upstream')).url).host;
  onStarted(instance);
  const read: Read = { text: '', lastId: '', nextSeq: 0 };
  for (let resumes = 0; ; resumes++) {
    await readInto(response, read);
    if (read.broken) return { instance, outcome: { kind: 'failed', reason: read.broken } };
    if (read.terminal) break;
    if (resumes === RESUMES || !read.lastId) {
      return { instance, outcome: { kind: 'failed', reason: 'cut, and no resume got further' } };
    }
    const streamId = read.lastId.slice(0, read.lastId.lastIndexOf(':'));
    response = await fetch(`${cluster.url}${chatStreamPath(streamId, read.lastId)}`);
  }
  const { event, at } = read.terminal;
  if (!expected.startsWith(read.text)) {
    return { instance, outcome: { kind: 'failed', reason: 'text differs from the answer' } };
  }
  if (event.type === 'done' && read.text === expected) {
    return { instance, outcome: { kind: 'exact', at } };
  }
  if (isLoss(event)) {
    return { instance, outcome: { kind: 'lost', at, behind: read.lossBehind === true } };
  }
  return { instance, outcome: { kind: 'failed', reason: `ended with ${JSON.stringify(event)}` } };
}

export const SCALE_OUT_METRICS: Metric[] = [
  { key: 'survivorsExact', label: 'streams on the survivors, exact (share)', better: 'higher' },
  {
    key: 'victimLost',
    label: 'streams on the killed one, ended instance_lost (share)',
    better: 'higher',
  },
  {
    key: 'lostBehind',
    label: 'of those, instance_lost with an id below one the reader had',
    better: 'lower',
  },
  { key: 'failed', label: 'streams failed otherwise', better: 'lower' },
  { key: 'learnMedianMs', label: 'kill to instance_lost, median (ms)', better: 'lower' },
  { key: 'learnMaxMs', label: 'kill to instance_lost, max (ms)', better: 'lower' },
  { key: 'afterExact', label: 'new streams after the kill, exact (share)', better: 'higher' },
];

export async function runScaleOut(settings: ScaleOutSettings): Promise<Record<string, number>> {
  const cluster = await startCluster(3, {
    MOCK_DELAY_MS: '50',
    MAX_CONCURRENT_STREAMS: '0',
    RATE_LIMIT_MAX: '0',
  });
  try {
    const victim = cluster.instances[0];
    if (!victim) throw new Error('no instance to kill');
    const victimHost = new URL(victim.url).host;
    let started = 0;
    let allStarted: () => void = () => undefined;
    const everyoneStarted = new Promise<void>((resolve) => {
      allStarted = resolve;
    });
    const request = (index: number): StreamRequest => ({
      prompt: `How do I stream tokens to a browser? ${index}`,
      model: 'mock',
      maxTokens: settings.tokens,
    });
    const readers = Array.from({ length: settings.streams }, (_, index) =>
      runReader(cluster, request(index), () => {
        if (++started === settings.streams) allStarted();
      }),
    );
    const sentAt = Date.now();
    await everyoneStarted;
    console.log(
      `  scale-out: all ${settings.streams} streams started ${Date.now() - sentAt} ms after sending`,
    );
    await sleep(settings.killAfterMs);
    await victim.kill();
    const killedAt = Date.now();
    const results = await Promise.all(readers);

    const after = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        runReader(
          cluster,
          { ...request(settings.streams + index), maxTokens: 20 },
          () => undefined,
        ),
      ),
    );
    // A stream on the victim that had ended before the kill had no reader left to tell.
    const endedBefore = ({ outcome }: (typeof results)[number]) =>
      outcome.kind === 'exact' && outcome.at < killedAt;
    const onVictim = results.filter(
      (result) => result.instance === victimHost && !endedBefore(result),
    );
    const onSurvivors = results.filter(({ instance }) => instance !== victimHost);
    const learned = onVictim.flatMap(({ outcome }) =>
      outcome.kind === 'lost' ? [outcome.at - killedAt] : [],
    );
    const failures = [...results, ...after].filter(({ outcome }) => outcome.kind === 'failed');
    console.log(
      `  scale-out: ${onVictim.length} streams running on the killed instance, ${results.length - onVictim.length} elsewhere or already done`,
    );
    for (const { outcome } of failures.slice(0, 3)) {
      if (outcome.kind === 'failed')
        console.warn(`  scale-out: a stream failed: ${outcome.reason}`);
    }
    const share = (of: typeof results, kind: Outcome['kind']) =>
      of.filter(({ outcome }) => outcome.kind === kind).length / of.length;
    return {
      survivorsExact: share(onSurvivors, 'exact'),
      victimLost: share(onVictim, 'lost'),
      lostBehind: onVictim.filter(({ outcome }) => outcome.kind === 'lost' && outcome.behind)
        .length,
      failed: failures.length,
      learnMedianMs: median(learned),
      learnMaxMs: learned.length > 0 ? Math.max(...learned) : Number.NaN,
      afterExact: share(after, 'exact'),
    };
  } finally {
    await cluster.stop();
  }
}
