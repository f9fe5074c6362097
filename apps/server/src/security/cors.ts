import { LAST_EVENT_ID_HEADER } from '@gpt-stream/protocol';
import cors from 'cors';
import type { RequestHandler } from 'express';
import { REQUEST_ID_HEADER } from '../observability/request-logger.ts';

const passThrough: RequestHandler = (_req, _res, next) => next();

/**
 * Same origin only unless `CORS_ORIGINS` lists others: without CORS headers a browser refuses to
 * hand another site's page the answer. Listed origins get exactly what the page itself uses.
 */
export function corsPolicy(origins: readonly string[]): RequestHandler {
  if (origins.length === 0) return passThrough;
  return cors({
    origin: [...origins],
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: ['Content-Type', LAST_EVENT_ID_HEADER],
    exposedHeaders: ['Retry-After', REQUEST_ID_HEADER],
    maxAge: 600,
  });
}
