import { createServer, IncomingMessage, type Server, ServerResponse } from 'node:http';
import type { Express } from 'express';

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
  return createServer({ IncomingMessage: AppRequest, ServerResponse: AppResponse }, app);
}
