import { ERROR_CODES } from '@gpt-stream/protocol';
import express, { type Express } from 'express';
import type { ActiveStreams } from './active-streams.ts';
import type { Config } from './config.ts';
import { handleErrors, sendError } from './http-errors.ts';
import type { ModelRegistry } from './models/registry.ts';
import { chatRoute } from './routes/chat.ts';
import { statusRoutes } from './routes/status.ts';
import { streamRoutes } from './routes/stream.ts';
import { serveWeb } from './web-static.ts';

export interface AppOptions {
  config: Pick<Config, 'maxPromptChars' | 'webDir'>;
  models: ModelRegistry;
  streams: ActiveStreams;
}

export function createApp({ config, models, streams }: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(statusRoutes({ models, streams }));
  app.use(chatRoute({ config, models, streams }));
  app.use(streamRoutes({ streams }));
  app.use('/api', (req, res) => {
    sendError(res, 404, ERROR_CODES.notFound, `There is no ${req.method} ${req.originalUrl}.`);
  });
  serveWeb(app, config.webDir);
  app.use(handleErrors);
  return app;
}
