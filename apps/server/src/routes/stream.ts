import {
  API_PATHS,
  ERROR_CODES,
  isStreamId,
  LAST_EVENT_ID_HEADER,
  parseResumePosition,
  RESUME_AFTER_PARAM,
} from '@gpt-stream/protocol';
import express, { type Request, type Response, type Router } from 'express';
import { sendError } from '../http/http-errors.ts';
import type { ActiveStreams } from '../streaming/active-streams.ts';

/** The stream id of the path, or undefined after answering 400. */
function streamIdOf(req: Request, res: Response): string | undefined {
  const { streamId } = req.params;
  if (typeof streamId === 'string' && isStreamId(streamId)) return streamId;
  sendError(res, 400, ERROR_CODES.invalidRequest, 'That is not a stream id.');
  return undefined;
}

/**
 * Where a GET resumes: `Last-Event-ID` when the client sends one, since a standard EventSource
 * sends it on every reconnect while its URL keeps the `after` it was opened with; else `after`.
 */
function resumeFrom(
  req: Request,
): { name: string; value: unknown; reconnect: boolean } | undefined {
  const lastEventId = req.get(LAST_EVENT_ID_HEADER)?.trim();
  if (lastEventId) return { name: LAST_EVENT_ID_HEADER, value: lastEventId, reconnect: true };
  const after = req.query[RESUME_AFTER_PARAM];
  if (after !== undefined) return { name: RESUME_AFTER_PARAM, value: after, reconnect: false };
  return undefined;
}

/**
 * `GET /api/chat/:streamId[?after=<event id>]` resumes a stream (after a reload, say), and
 * `DELETE /api/chat/:streamId` stops it: the deliberate stop, which a dropped connection is not.
 *
 * The GET behaves as the SSE spec expects of a server, so that a browser's own EventSource can
 * follow a stream: a client that already has the terminal event gets `204 No Content`, the one
 * answer that tells EventSource to stop reconnecting.
 */
export function streamRoutes({ streams }: { streams: ActiveStreams }): Router {
  const router = express.Router();
  router.get(API_PATHS.chatStream, async (req, res) => {
    const streamId = streamIdOf(req, res);
    if (streamId === undefined) return;
    const from = resumeFrom(req);
    if (from === undefined) return streams.resume(streamId, -1, res);
    const position = typeof from.value === 'string' ? parseResumePosition(from.value) : null;
    if (position?.streamId !== streamId) {
      return sendError(
        res,
        400,
        ERROR_CODES.invalidRequest,
        `${from.name} must be the id of an event of this stream, like "${streamId}:12".`,
      );
    }
    const remaining = await streams.remainingAfter(streamId, position.sequence);
    if (remaining === 'nothing') {
      res.status(204).end();
      return;
    }
    // An event-stream answer would bring a reconnecting EventSource straight back, forever.
    if (remaining === 'unknown' && from.reconnect) {
      return sendError(
        res,
        404,
        ERROR_CODES.streamNotFound,
        'This stream is unknown or has expired.',
      );
    }
    return streams.resume(streamId, position.sequence, res);
  });
  router.delete(API_PATHS.chatStream, async (req, res) => {
    const streamId = streamIdOf(req, res);
    if (streamId === undefined) return;
    if (await streams.stop(streamId)) {
      res.status(204).end();
      return;
    }
    sendError(res, 404, ERROR_CODES.streamNotFound, 'This stream is unknown or has expired.');
  });
  return router;
}
