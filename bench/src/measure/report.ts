/** Folds the runs into medians and same-run ratios, prints them as a table and keeps them as JSON. */

import { median } from './stats.ts';

/** One figure a scenario reports, and which way is better. */
export interface Metric {
  key: string;
  label: string;
  better: 'higher' | 'lower';
}

export type Figures = Record<string, number>;

export interface RunPair {
  raw: Figures;
  server: Figures;
}

export interface MetricSummary extends Metric {
  raw: number;
  server: number;
  /** server ÷ raw, the median of the ratios of each run (both were measured in the same run). */
  ratio: number;
}

export function summarize(metrics: Metric[], runs: RunPair[]): MetricSummary[] {
  return metrics.map((metric) => ({
    ...metric,
    raw: median(runs.map((run) => run.raw[metric.key] ?? Number.NaN)),
    server: median(runs.map((run) => run.server[metric.key] ?? Number.NaN)),
    ratio: median(
      runs.map(
        (run) => (run.server[metric.key] ?? Number.NaN) / (run.raw[metric.key] ?? Number.NaN),
      ),
    ),
  }));
}

export function format(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export interface TableSection {
  title: string;
  metrics: MetricSummary[];
}

/** What the two columns of a table hold. */
export interface Columns {
  raw: string;
  server: string;
}

const DEFAULT_COLUMNS: Columns = { raw: 'raw baseline', server: 'server' };

function shortName(column: string): string {
  return column.split(' ')[0] as string;
}

/** A Markdown table, so that docs/performance.md can take it as it is. */
export function renderTable(sections: TableSection[], columns: Columns = DEFAULT_COLUMNS): string {
  const ratio =
    columns === DEFAULT_COLUMNS
      ? 'server ÷ raw'
      : `${shortName(columns.server)} ÷ ${shortName(columns.raw)}`;
  const rows = [
    `| scenario | figure | ${columns.raw} | ${columns.server} | ${ratio} | better |`,
    '| --- | --- | ---: | ---: | ---: | --- |',
  ];
  for (const { title, metrics } of sections) {
    for (const metric of metrics) {
      rows.push(
        `| ${title} | ${metric.label} | ${format(metric.raw)} | ${format(metric.server)} | ${format(metric.ratio)}x | ${metric.better} |`,
      );
    }
  }
  return rows.join('\n');
}
