/** Folds the runs into medians and same-run ratios, prints them as a table and keeps them as JSON. */

import type { Metric } from './scenarios.ts';
import { median } from './stats.ts';

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

function format(value: number): string {
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

/** A Markdown table, so that README can take it as it is. */
export function renderTable(sections: TableSection[]): string {
  const rows = [
    '| scenario | figure | raw baseline | server | server ÷ raw | better |',
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
