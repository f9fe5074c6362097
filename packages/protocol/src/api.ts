import { z } from 'zod/mini';

export const ModelInfoSchema = z.object({
  id: z.string().check(z.minLength(1)),
  description: z.string(),
});
export type ModelInfo = z.infer<typeof ModelInfoSchema>;

/** `GET /api/models` */
export const ModelListSchema = z.object({
  defaultModel: z.string().check(z.minLength(1)),
  models: z.array(ModelInfoSchema),
});
export type ModelList = z.infer<typeof ModelListSchema>;

/** Where streams are kept, and whether this instance can reach it just now. */
export const StoreStateSchema = z.object({
  kind: z.enum(['memory', 'redis']),
  reachable: z.boolean(),
});
export type StoreState = z.infer<typeof StoreStateSchema>;

/**
 * `GET /api/health`: 200 with `ok` while the instance takes streams (even with its store out of
 * reach: streams still flow from the instance that generates them), 503 with `shutting_down`
 * once it is ending them, so that a load balancer sends new streams elsewhere.
 */
export const HealthSchema = z.object({
  status: z.enum(['ok', 'shutting_down']),
  activeStreams: z.int().check(z.nonnegative()),
  store: StoreStateSchema,
});
export type Health = z.infer<typeof HealthSchema>;
