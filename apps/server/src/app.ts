import { API_PATHS, ERROR_CODES, LAST_EVENT_ID_HEADER } from '@gpt-stream/protocol';
import express, { type Express } from 'express';
import type { Store } from 'express-rate-limit';
import type { Config } from './config/config.ts';
import { handleErrors, sendError } from './http/http-errors.ts';
import { serveWeb } from './http/web-static.ts';
import type { ModelRegistry } from './models/registry.ts';
import type { Logger } from './observability/logger.ts';
import type { Metrics } from './observability/metrics.ts';
import { metricsRoute } from './observability/metrics-route.ts';
import { requestLogger } from './observability/request-logger.ts';
import { chatRoute } from './routes/chat.ts';
import { statusRoutes } from './routes/status.ts';
import { streamRoutes } from './routes/stream.ts';
import { allowedHosts } from './security/allowed-hosts.ts';
import { corsPolicy } from './security/cors.ts';
import { securityHeaders } from './security/headers.ts';
import { streamStartLimits } from './security/stream-limits.ts';
import type { ActiveStreams } from './streaming/active-streams.ts';

export interface AppOptions {
  config: Pick<
    Config,
    | 'host'
    | 'allowedHosts'
    | 'maxPromptChars'
    | 'maxMessages'
    | 'systemPrompt'
    | 'webDir'
    | 'corsOrigins'
    | 'trustProxy'
    | 'rateLimitWindowMs'
    | 'rateLimitMax'
    | 'maxConcurrentStreams'
    | 'maxConcurrentReaders'
    | 'maxStreamsPerClient'
  >;
  models: ModelRegistry;
  streams: ActiveStreams;
  logger: Logger;
  metrics: Metrics;
  /** Where the start limit counts, when not in this process (Redis, shared by every instance). */
  rateLimitStore?: Store | undefined;
}

export function createApp({
  config,
  models,
  streams,
  logger,
  metrics,
  rateLimitStore,
}: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(requestLogger(logger));
  app.use(allowedHosts(config));
  app.use(securityHeaders());
  app.use('/api', corsPolicy(config.corsOrigins));
  app.use(statusRoutes({ models, streams }));
  app.use(metricsRoute(metrics));
  const limits = streamStartLimits({ config, streams, logger, store: rateLimitStore });
  // A resume opens a reader: the cap on readers applies before its route runs.
  app.get(API_PATHS.chatStream, limits.readers);
  app.post(API_PATHS.chat, (req, res, next) =>
    req.get(LAST_EVENT_ID_HEADER) === undefined ? next() : limits.readers(req, res, next),
  );
  app.use(chatRoute({ config, models, streams, limits }));
  app.use(streamRoutes({ streams }));
  app.use('/api', (req, res) => {
    sendError(res, 404, ERROR_CODES.notFound, `There is no ${req.method} ${req.originalUrl}.`);
  });
  serveWeb(app, config.webDir);
  app.use(handleErrors(logger));
  return app;
}
