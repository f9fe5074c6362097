import { ERROR_CODES } from '@gpt-stream/protocol';
import type { RequestHandler } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import type { ActiveStreams } from '../active-streams.ts';
import type { Config } from '../config.ts';
import { sendError } from '../http-errors.ts';

/** A stream lasts seconds; a client told to come back after this has a fair chance of a slot. */
export const BUSY_RETRY_AFTER_SECONDS = 5;

const passThrough: RequestHandler = (_req, _res, next) => next();

export interface StreamStartLimits {
  /** Per client address, per window. Goes first: it counts every attempt, valid or not. */
  rate: RequestHandler;
  /**
   * The cap on open streams. Goes last, right before the session registers its stream, with no
   * `await` in between, so that requests arriving together cannot overshoot it.
   */
  capacity: RequestHandler;
}

export function streamStartLimits({
  config,
  streams,
  store,
}: {
  config: Pick<Config, 'rateLimitWindowMs' | 'rateLimitMax' | 'maxConcurrentStreams'>;
  streams: ActiveStreams;
  /** Where the rate limit counts; this process's memory unless shared (see shared-rate-limit.ts). */
  store?: Store | undefined;
}): StreamStartLimits {
  const { rateLimitWindowMs, rateLimitMax, maxConcurrentStreams } = config;
  const rate =
    rateLimitMax === 0
      ? passThrough
      : rateLimit({
          windowMs: rateLimitWindowMs,
          limit: rateLimitMax,
          standardHeaders: 'draft-7',
          legacyHeaders: false,
          ...(store ? { store } : {}),
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
