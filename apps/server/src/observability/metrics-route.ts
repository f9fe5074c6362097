import express, { type Router } from 'express';
import type { Metrics } from './metrics.ts';

export const METRICS_PATH = '/metrics';

/** `GET /metrics` in Prometheus text format, outside `/api` so a proxy can keep it private. */
export function metricsRoute({ registry }: Metrics): Router {
  const router = express.Router();
  router.get(METRICS_PATH, async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
