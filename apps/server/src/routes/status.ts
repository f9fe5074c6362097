import { API_PATHS, type Health } from '@gpt-stream/protocol';
import express, { type Router } from 'express';
import type { ActiveStreams } from '../active-streams.ts';
import type { ModelRegistry } from '../models/registry.ts';

/** `GET /api/health` and `GET /api/models`: cheap reads for load balancers and the page. */
export function statusRoutes({
  models,
  streams,
}: {
  models: ModelRegistry;
  streams: ActiveStreams;
}): Router {
  const router = express.Router();
  router.get(API_PATHS.health, (_req, res) => {
    res.json({ status: 'ok', activeStreams: streams.size } satisfies Health);
  });
  router.get(API_PATHS.models, (_req, res) => {
    res.json(models.list());
  });
  return router;
}
