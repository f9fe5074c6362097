import { ERROR_CODES } from '@gpt-stream/protocol';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit, type Store } from 'express-rate-limit';
import type { Config } from '../config/config.ts';
import { sendError } from '../http/http-errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { ActiveStreams } from '../streaming/active-streams.ts';

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
   * The caps on open streams, open readers and streams per client. Goes last, right before the
   * session registers its stream, with no `await` in between, so that requests arriving together
   * cannot overshoot them.
   */
  capacity: RequestHandler;
  /** The cap on open readers, for a resume (which opens a reader, not a stream). */
  readers: RequestHandler;
}

/**
 * The client a stream counts against: its address as `req.ip` gives it (TRUST_PROXY honoured),
 * an IPv6 one as its /56, as the rate limit counts it, since one holder has many addresses.
 */
export function clientKeyOf(req: Request): string {
  return ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? '');
}

function busy(res: Response, message: string): void {
  res.setHeader('Retry-After', String(BUSY_RETRY_AFTER_SECONDS));
  sendError(
    res,
    503,
    ERROR_CODES.serverBusy,
    `${message} Try again in ${BUSY_RETRY_AFTER_SECONDS} s.`,
  );
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
  store,
  logger,
}: {
  config: Pick<
    Config,
    | 'rateLimitWindowMs'
    | 'rateLimitMax'
    | 'maxConcurrentStreams'
    | 'maxConcurrentReaders'
    | 'maxStreamsPerClient'
    | 'trustProxy'
  >;
  streams: ActiveStreams;
  logger: Logger;
  /** Where the rate limit counts; this process's memory unless shared (see shared-rate-limit.ts). */
  store?: Store | undefined;
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
          ...(store ? { store } : {}),
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
  const { maxConcurrentReaders, maxStreamsPerClient } = config;
  const readersFull = () => maxConcurrentReaders !== 0 && streams.readers >= maxConcurrentReaders;
  const readers: RequestHandler = (_req, res, next) => {
    if (!readersFull()) return next();
    busy(res, `The server is at its limit of ${maxConcurrentReaders} open readers.`);
  };
  const capacity: RequestHandler = (req, res, next) => {
    if (maxConcurrentStreams !== 0 && streams.size >= maxConcurrentStreams) {
      return busy(res, `The server is at its limit of ${maxConcurrentStreams} open streams.`);
    }
    if (readersFull()) {
      return busy(res, `The server is at its limit of ${maxConcurrentReaders} open readers.`);
    }
    if (maxStreamsPerClient !== 0 && streams.runningFor(clientKeyOf(req)) >= maxStreamsPerClient) {
      res.setHeader('Retry-After', String(BUSY_RETRY_AFTER_SECONDS));
      return sendError(
        res,
        429,
        ERROR_CODES.rateLimited,
        `Your address has ${maxStreamsPerClient} streams open, the most one address may hold. Try again in ${BUSY_RETRY_AFTER_SECONDS} s, or stop one.`,
      );
    }
    next();
  };
  return { rate, capacity, readers };
}
