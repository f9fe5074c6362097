import { API_PATHS, type Health } from '@gpt-stream/protocol';
import express, { type Router } from 'express';
import type { ModelRegistry } from '../models/registry.ts';
import type { ActiveStreams } from '../streaming/active-streams.ts';

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
    // 503 while shutting down, so that a load balancer sends new streams elsewhere; a store out
    // of reach is reported but is no reason to: this instance's streams still flow.
    const status = streams.closing ? 'shutting_down' : 'ok';
    res.status(streams.closing ? 503 : 200);
    res.json({
      status,
      activeStreams: streams.size,
      store: streams.store.state(),
    } satisfies Health);
  });
  router.get(API_PATHS.models, (_req, res) => {
    res.json(models.list());
  });
  return router;
}
