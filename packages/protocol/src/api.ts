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

/** `GET /api/health` */
export const HealthSchema = z.object({
  status: z.literal('ok'),
  activeStreams: z.int().check(z.nonnegative()),
});
export type Health = z.infer<typeof HealthSchema>;
