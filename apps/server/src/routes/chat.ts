import {
  API_PATHS,
  conversationChars,
  conversationOf,
  ERROR_CODES,
  JSON_TYPE,
  LAST_EVENT_ID_HEADER,
  parseChatRequest,
  parseResumePosition,
} from '@gpt-stream/protocol';
import express, { type Router } from 'express';
import type { Config } from '../config/config.ts';
import { sendError } from '../http/http-errors.ts';
import type { ModelRegistry } from '../models/registry.ts';
import { withSystemPrompt } from '../models/system-prompt.ts';
import { clientKeyOf, type StreamStartLimits } from '../security/stream-limits.ts';
import type { ActiveStreams } from '../streaming/active-streams.ts';

/**
 * The byte limit only stops bodies no valid request could fill: JSON escapes take up to six bytes
 * per character and each message its `{"role": ..., "content": ...}` (pretty-printed, even), so
 * the character and message limits speak first, with their own figures.
 */
const BYTES_PER_CHAR_WORST_CASE = 6;
const BYTES_PER_MESSAGE_WORST_CASE = 128;
const BODY_OVERHEAD_BYTES = 16 * 1024;

export interface ChatRouteOptions {
  config: Pick<Config, 'maxPromptChars' | 'maxMessages' | 'systemPrompt'>;
  models: ModelRegistry;
  streams: ActiveStreams;
  limits: StreamStartLimits;
}

/**
 * `POST /api/chat`: everything is checked before the stream starts, while a status can still say
 * no. A request carrying `Last-Event-ID` (fetch-event-source sends it when it retries) resumes that
 * stream instead, whatever its body: a retry never starts a second generation.
 */
export function chatRoute({ config, models, streams, limits }: ChatRouteOptions): Router {
  const router = express.Router();
  router.post(
    API_PATHS.chat,
    // A resume continues a stream that was counted when it started, so it goes before the limit.
    (req, res, next) => {
      const lastEventId = req.get(LAST_EVENT_ID_HEADER)?.trim();
      if (!lastEventId) return next();
      const position = parseResumePosition(lastEventId);
      if (position) return streams.resume(position.streamId, position.sequence, res);
      sendError(
        res,
        400,
        ERROR_CODES.invalidRequest,
        `${LAST_EVENT_ID_HEADER} must be the id of an event of a stream, like "<stream id>:12".`,
      );
    },
    limits.rate,
    (req, res, next) => {
      if (req.is(JSON_TYPE)) return next();
      sendError(
        res,
        415,
        ERROR_CODES.unsupportedMediaType,
        `Send the request as ${JSON_TYPE}, with a body like {"messages": [{"role": "user", "content": "Hello"}]}.`,
      );
    },
    express.json({
      limit:
        config.maxPromptChars * BYTES_PER_CHAR_WORST_CASE +
        config.maxMessages * BYTES_PER_MESSAGE_WORST_CASE +
        BODY_OVERHEAD_BYTES,
      strict: false,
    }),
    limits.capacity,
    async (req, res) => {
      // Counted before validation: a conversation that is too long costs no work on its messages.
      const count = messageCount(req.body);
      if (count > config.maxMessages) {
        return sendError(
          res,
          413,
          ERROR_CODES.payloadTooLarge,
          `The conversation has ${count} messages; the limit is ${config.maxMessages}.`,
        );
      }
      const parsed = parseChatRequest(req.body);
      if (!parsed.ok) return sendError(res, 400, ERROR_CODES.invalidRequest, parsed.message);
      const { maxTokens, resumable = true } = parsed.value;
      const modelId = parsed.value.model ?? models.defaultModel;
      const messages = conversationOf(parsed.value);
      const chars = conversationChars(messages);
      if (chars > config.maxPromptChars) {
        const what = parsed.value.prompt === undefined ? 'conversation' : 'prompt';
        return sendError(
          res,
          413,
          ERROR_CODES.payloadTooLarge,
          `The ${what} is ${chars} characters long; the limit is ${config.maxPromptChars}.`,
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
      const input = { messages: withSystemPrompt(messages, config.systemPrompt), maxTokens };
      if (streams.start({ res, model, input, resumable, client: clientKeyOf(req) })) {
        // The stream owns the response now and routing is over; the router's `next` would
        // otherwise keep its whole chain of closures alive for as long as the stream is open.
        req.next = undefined;
        return;
      }
      res.set('Retry-After', '5');
      sendError(
        res,
        503,
        ERROR_CODES.serverBusy,
        'The server is keeping as many streams for resuming as it can. Try again in a moment.',
      );
    },
  );
  return router;
}

/** How many messages a body carries, before anything else about it is checked. */
function messageCount(body: unknown): number {
  if (typeof body !== 'object' || body === null || !('messages' in body)) return 0;
  return Array.isArray(body.messages) ? body.messages.length : 0;
}
