import helmet from 'helmet';

/**
 * Helmet's headers with a Content-Security-Policy written for the built page: it loads only its
 * own script, stylesheet and icon and talks only to its own origin, and has no inline script or
 * style, so nothing else is allowed. No `upgrade-insecure-requests`: the server often runs on
 * plain HTTP (localhost, a LAN, behind a TLS-terminating proxy) and would break itself there.
 */
export function securityHeaders() {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  });
}
