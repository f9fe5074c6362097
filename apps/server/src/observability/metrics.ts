import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The server's Prometheus metrics, in a registry of their own so that each app counts alone. */
export interface Metrics {
  registry: Registry;
  activeStreams: Gauge;
  streamsEnded: Counter<'outcome'>;
  /** Counts one generated delta event: called for every token, so it only adds to a number. */
  countToken(): void;
  /** The same for one reasoning event. */
  countReasoningToken(): void;
  timeToFirstToken: Histogram;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  // Process CPU, memory, GC, handles and `nodejs_eventloop_lag_seconds`, which shows a server
  // too busy to keep its streams flowing before readers notice.
  collectDefaultMetrics({ register: registry });
  const countToken = countedAtScrape(registry, {
    name: 'gpt_stream_tokens_sent_total',
    help: 'Delta events generated, each counted once however many readers it is written to.',
  });
  const countReasoningToken = countedAtScrape(registry, {
    name: 'gpt_stream_reasoning_tokens_sent_total',
    help: "Reasoning events (a model's thinking) generated, each counted once however many readers it is written to.",
  });
  return {
    registry,
    activeStreams: new Gauge({
      name: 'gpt_stream_active_streams',
      help: 'Streams currently open.',
      registers: [registry],
    }),
    streamsEnded: new Counter({
      name: 'gpt_stream_streams_total',
      help: 'Streams ended, by outcome: done, client_left (a non-resumable stream lost its reader), or the code of the terminal error event.',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    timeToFirstToken: new Histogram({
      name: 'gpt_stream_time_to_first_token_seconds',
      help: 'From the start of a stream to its first delta.',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    countToken,
    countReasoningToken,
  };
}

/**
 * A counter for something that happens for every token. prom-client's `inc()` hashes its labels
 * on every call, which at a hundred thousand tokens a second is real work; the counter takes
 * what was counted since the last scrape instead. Nothing else holds it: the registry scrapes
 * it, and `collect` brings it up to date.
 */
function countedAtScrape(
  registry: Registry,
  { name, help }: { name: string; help: string },
): () => void {
  let uncounted = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.inc(uncounted);
      uncounted = 0;
    },
  });
  return () => {
    uncounted++;
  };
}
