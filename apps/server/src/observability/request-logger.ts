import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from './logger.ts';
import { redactStreamIds } from './redact.ts';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** The id the request was answered with, for other log lines about it. */
export function requestIdOf(res: Response): string | undefined {
  const id: unknown = res.locals.requestId;
  return typeof id === 'string' ? id : undefined;
}

function levelOf(statusCode: number): 'info' | 'warn' | 'error' {
  if (statusCode >= 500) return 'error';
  return statusCode >= 400 ? 'warn' : 'info';
}

function logRequest(logger: Logger, req: Request, res: Response, startedAt: number): void {
  const { method } = req;
  const url = redactStreamIds(req.originalUrl);
  // Closed before a status went out (the client gave up, or its framing broke the connection):
  // the status the response holds was never sent, so none is logged.
  const answered = res.headersSent;
  const { statusCode } = res;
  logger[answered ? levelOf(statusCode) : 'warn'](
    {
      req: { id: requestIdOf(res), method, url },
      res: answered ? { statusCode } : {},
      // `req.ip` honours TRUST_PROXY, so behind a proxy the log shows the real client.
      clientIp: req.ip,
      responseTime: Date.now() - startedAt,
    },
    answered ? `${method} ${url} ${statusCode}` : `${method} ${url} closed before it was answered`,
  );
}

/**
 * One log line per request, written when the response closes (for a stream, when the stream
 * ends). Only method, path and client address are kept: headers can carry cookies and keys, and
 * a stream id in the path is cut to its prefix (see redact.ts). It
 * holds nothing per request but one listener: an open stream can sit for minutes, and thousands
 * of them should not each keep a child logger.
 */
export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const id = randomUUID();
    const startedAt = Date.now();
    res.locals.requestId = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    // A response closes once; `on` spares the wrapper that `once` keeps while a stream is open.
    res.on('close', () => logRequest(logger, req, res, startedAt));
    next();
  };
}
