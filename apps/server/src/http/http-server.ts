import { createServer, IncomingMessage, type Server, ServerResponse } from 'node:http';
import type { Express } from 'express';

/**
 * Runs `app` for a request once its response owns the socket. A pipelined request (sent on a
 * connection before the answer to the previous one has ended) gets a response that Node queues
 * without a socket: it can send nothing until the one before ends, and if the connection dies
 * meanwhile it never hears `close`. A stream started for it would wait on a reader that cannot
 * exist, holding its slot for good. So a queued request is only handled when its turn comes;
 * until then its body is not read either, which stops Node reading more requests off that
 * connection. A connection that dies first takes its queued requests with it, unanswered.
 */
function inTurn(app: Express) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (res.socket !== null) app(req, res);
    else res.once('socket', () => app(req, res));
  };
}

/**
 * The HTTP server for the app. Express moves every request and response onto its own prototypes
 * (`app.request`, `app.response`) with `Object.setPrototypeOf`, and V8 then gives each of them a
 * hidden class of its own as soon as a property is added: a copy of a hundred-odd property
 * descriptors, about 2 KB for a request and its response, held as long as a stream is open.
 * Made as instances of subclasses whose prototypes are those, they already have the prototype
 * Express sets, the change does nothing, and all requests share one hidden class (which also
 * keeps Express's property reads monomorphic).
 */
export function createHttpServer(app: Express): Server {
  // Classes, not functions with a `prototype`: V8 caches the instance layout only for a derived
  // class, and would otherwise give every instance a hidden class of its own all the same.
  class AppRequest extends IncomingMessage {}
  class AppResponse extends ServerResponse {}
  Object.setPrototypeOf(AppRequest.prototype, app.request);
  Object.setPrototypeOf(AppResponse.prototype, app.response);
  app.request = AppRequest.prototype as Express['request'];
  app.response = AppResponse.prototype as Express['response'];
  return createServer({ IncomingMessage: AppRequest, ServerResponse: AppResponse }, inTurn(app));
}
