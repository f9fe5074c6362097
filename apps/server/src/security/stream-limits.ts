import { ERROR_CODES } from '@gpt-stream/protocol';
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { ActiveStreams } from '../active-streams.ts';
import type { Config } from '../config.ts';
import { sendError } from '../http-errors.ts';
import type { Logger } from '../observability/logger.ts';

/** A stream lasts seconds; a client told to come back after this has a fair chance of a slot. */
export const BUSY_RETRY_AFTER_SECONDS = 5;

const passThrough: RequestHandler = (_req, _res, next) => next();

function chain(first: RequestHandler, second: RequestHandler): RequestHandler {
  return (req, res, next) => first(req, res, () => second(req, res, next));
}

export interface StreamStartLimits {
  /** Per client address, per window. Goes first: it counts every attempt, valid or not. */
  rate: RequestHandler;
  /**
   * The cap on open streams. Goes last, right before the session registers its stream, with no
   * `await` in between, so that requests arriving together cannot overshoot it.
   */
  capacity: RequestHandler;
}

/**
 * Warns once, in the log, when a proxy's `X-Forwarded-For` arrives at a server that believes no
 * proxy: every client behind that proxy then shares one address, and one rate limit.
 * (express-rate-limit's own check of this prints a multi-line error to stderr.)
 */
function warnOfUntrustedProxy(logger: Logger): RequestHandler {
  let warned = false;
  return (req, _res, next) => {
    if (!warned && req.headers['x-forwarded-for'] !== undefined) {
      warned = true;
      logger.warn(
        { clientIp: req.ip },
        'A request came with X-Forwarded-For, but TRUST_PROXY is unset: every client behind that proxy shares its address and its rate limit. Set TRUST_PROXY to the proxy.',
      );
    }
    next();
  };
}

export function streamStartLimits({
  config,
  streams,
  logger,
}: {
  config: Pick<
    Config,
    'rateLimitWindowMs' | 'rateLimitMax' | 'maxConcurrentStreams' | 'trustProxy'
  >;
  streams: ActiveStreams;
  logger: Logger;
}): StreamStartLimits {
  const { rateLimitWindowMs, rateLimitMax, maxConcurrentStreams } = config;
  const limit =
    rateLimitMax === 0
      ? passThrough
      : rateLimit({
          windowMs: rateLimitWindowMs,
          limit: rateLimitMax,
          standardHeaders: 'draft-7',
          legacyHeaders: false,
          validate: { xForwardedForHeader: false },
          // Sets Retry-After before this runs.
          handler(_req, res) {
            const seconds = res.getHeader('Retry-After');
            sendError(
              res,
              429,
              ERROR_CODES.rateLimited,
              `Too many streams started from your address: the limit is ${rateLimitMax} every ${Math.ceil(rateLimitWindowMs / 1000)} s. Try again in ${seconds} s.`,
            );
          },
        });
  const rate: RequestHandler =
    config.trustProxy === false ? chain(warnOfUntrustedProxy(logger), limit) : limit;
  const capacity: RequestHandler =
    maxConcurrentStreams === 0
      ? passThrough
      : (_req, res, next) => {
          if (streams.size < maxConcurrentStreams) return next();
          res.setHeader('Retry-After', String(BUSY_RETRY_AFTER_SECONDS));
          sendError(
            res,
            503,
            ERROR_CODES.serverBusy,
            `The server is at its limit of ${maxConcurrentStreams} open streams. Try again in ${BUSY_RETRY_AFTER_SECONDS} s.`,
          );
        };
  return { rate, capacity };
}
