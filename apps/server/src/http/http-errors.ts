import { type ApiErrorBody, apiErrorBody, ERROR_CODES, type ErrorCode } from '@gpt-stream/protocol';
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from '../observability/logger.ts';
import { requestIdOf } from '../observability/request-logger.ts';

export function sendError(res: Response, status: number, code: ErrorCode, message: string): void {
  res.status(status).json(apiErrorBody(code, message) satisfies ApiErrorBody);
}

/** The fields body-parser sets on the errors it raises. */
interface BodyParserError {
  type: string;
  status: number;
  limit?: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as BodyParserError).type === 'string' &&
    typeof (error as BodyParserError).status === 'number'
  );
}

/** Maps a body-parser failure to what the sender did wrong, in words it can act on. */
function describeBodyError(error: BodyParserError): [number, ErrorCode, string] | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return [400, ERROR_CODES.invalidJson, 'The request body is not valid JSON.'];
    case 'entity.too.large':
      return [
        413,
        ERROR_CODES.payloadTooLarge,
        `The request body is larger than the limit of ${error.limit ?? 'the server'} bytes.`,
      ];
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return [415, ERROR_CODES.unsupportedMediaType, 'Send the request body as UTF-8 JSON.'];
    // The sender gave up while uploading: nobody is left to read the answer, and nothing broke.
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return [400, ERROR_CODES.invalidRequest, 'The request body could not be read.'];
    default:
      return undefined;
  }
}

/** An error that says it is the client's doing, in the `http-errors` way Express's parts use. */
interface ClientError {
  status: number;
  code?: unknown;
}

function isClientError(error: unknown): error is ClientError {
  const status = (error as Partial<ClientError> | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/**
 * The client's mistakes that are not body-parser's own: a malformed %-escape in the path (the
 * router cannot decode the parameter) or a compressed body that does not decompress.
 */
function describeClientError(error: ClientError): [number, ErrorCode, string] {
  if (error instanceof URIError) {
    return [400, ERROR_CODES.invalidRequest, 'The path has a malformed %-escape.'];
  }
  if (typeof error.code === 'string' && error.code.startsWith('Z_')) {
    return [400, ERROR_CODES.invalidRequest, 'The request body could not be decompressed.'];
  }
  return [400, ERROR_CODES.invalidRequest, 'The request could not be read.'];
}

/**
 * The last handler: every failure becomes a JSON error. A client's mistake gets a 4xx and only
 * the request's own log line (a warning); anything else is logged with its stack and answered
 * with a generic 500. Stack traces and internal messages never reach the client.
 */
export const handleErrors =
  (logger: Logger): ErrorRequestHandler =>
  (error, req, res, _next) => {
    const known =
      (isBodyParserError(error) ? describeBodyError(error) : undefined) ??
      (isClientError(error) ? describeClientError(error) : undefined);
    if (!known) {
      const request = { id: requestIdOf(res), method: req.method, url: req.originalUrl };
      logger.error({ err: error, req: request }, 'request failed');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const [status, code, message] = known ?? [
      500,
      ERROR_CODES.internal,
      'Something went wrong on the server.',
    ];
    sendError(res, status, code, message);
  };
