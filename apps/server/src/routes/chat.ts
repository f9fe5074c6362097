import { API_PATHS, ERROR_CODES, JSON_TYPE, parseChatRequest } from '@gpt-stream/protocol';
import express, { type Router } from 'express';
import type { ActiveStreams } from '../active-streams.ts';
import type { Config } from '../config.ts';
import { sendError } from '../http-errors.ts';
import type { ModelRegistry } from '../models/registry.ts';
import type { StreamObserver } from '../observability/stream-observer.ts';
import type { StreamStartLimits } from '../security/stream-limits.ts';
import { runStreamSession } from '../stream-session.ts';

/** JSON escapes can take six bytes per character; the prompt limit speaks first, in characters. */
const BYTES_PER_CHAR_WORST_CASE = 6;
const BODY_OVERHEAD_BYTES = 16 * 1024;

export interface ChatRouteOptions {
  config: Pick<Config, 'heartbeatMs' | 'maxPromptChars'>;
  models: ModelRegistry;
  streams: ActiveStreams;
  observer: StreamObserver;
  limits: StreamStartLimits;
}

/** `POST /api/chat`: everything is checked before the stream starts, while a status can still say no. */
export function chatRoute({ config, models, streams, observer, limits }: ChatRouteOptions): Router {
  const router = express.Router();
  router.post(
    API_PATHS.chat,
    limits.rate,
    (req, res, next) => {
      if (req.is(JSON_TYPE)) return next();
      sendError(
        res,
        415,
        ERROR_CODES.unsupportedMediaType,
        `Send the request as ${JSON_TYPE}, with a body like {"prompt": "Hello"}.`,
      );
    },
    express.json({
      limit: config.maxPromptChars * BYTES_PER_CHAR_WORST_CASE + BODY_OVERHEAD_BYTES,
      strict: false,
    }),
    limits.capacity,
    async (req, res) => {
      const parsed = parseChatRequest(req.body);
      if (!parsed.ok) return sendError(res, 400, ERROR_CODES.invalidRequest, parsed.message);
      const { prompt, maxTokens, model: modelId = models.defaultModel } = parsed.value;
      if (prompt.length > config.maxPromptChars) {
        return sendError(
          res,
          413,
          ERROR_CODES.payloadTooLarge,
          `The prompt is ${prompt.length} characters long; the limit is ${config.maxPromptChars}.`,
        );
      }
      const model = models.get(modelId);
      if (!model) {
        const known = models
          .list()
          .models.map(({ id }) => id)
          .join(', ');
        return sendError(
          res,
          400,
          ERROR_CODES.unknownModel,
          `There is no model "${modelId}". Choose one of: ${known}.`,
        );
      }
      await runStreamSession({
        res,
        model,
        input: { prompt, maxTokens },
        heartbeatMs: config.heartbeatMs,
        streams,
        observer,
      });
    },
  );
  return router;
}
