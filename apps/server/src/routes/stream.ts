import {
  API_PATHS,
  ERROR_CODES,
  isStreamId,
  parseResumePosition,
  RESUME_AFTER_PARAM,
} from '@gpt-stream/protocol';
import express, { type Request, type Response, type Router } from 'express';
import type { ActiveStreams } from '../active-streams.ts';
import { sendError } from '../http-errors.ts';

/** The stream id of the path, or undefined after answering 400. */
function streamIdOf(req: Request, res: Response): string | undefined {
  const { streamId } = req.params;
  if (typeof streamId === 'string' && isStreamId(streamId)) return streamId;
  sendError(res, 400, ERROR_CODES.invalidRequest, 'That is not a stream id.');
  return undefined;
}

/**
 * `GET /api/chat/:streamId[?after=<event id>]` resumes a stream (after a reload, say), and
 * `DELETE /api/chat/:streamId` stops it: the deliberate stop, which a dropped connection is not.
 */
export function streamRoutes({ streams }: { streams: ActiveStreams }): Router {
  const router = express.Router();
  router.get(API_PATHS.chatStream, (req, res) => {
    const streamId = streamIdOf(req, res);
    if (streamId === undefined) return;
    const after = req.query[RESUME_AFTER_PARAM];
    if (after === undefined) return streams.resume(streamId, -1, res);
    const position = typeof after === 'string' ? parseResumePosition(after) : null;
    if (position?.streamId !== streamId) {
      return sendError(
        res,
        400,
        ERROR_CODES.invalidRequest,
        `${RESUME_AFTER_PARAM} must be the id of an event of this stream, like "${streamId}:12".`,
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
