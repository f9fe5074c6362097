import type { ServerResponse } from 'node:http';
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

/**
 * Helmet's headers that only a document acts on: policies for what a page may load, frame, open
 * or send, and switches for old browsers' handling of pages and downloads. An event stream is
 * read by script and never rendered, so on it they are dead weight, and a response keeps its
 * header block (about 1.5 KB with these) for as long as the stream is open. Strict-Transport-
 * Security goes too: the page and every JSON answer carry it, and a stream needs no reminder.
 * What stays: `X-Content-Type-Options: nosniff` and `Cross-Origin-Resource-Policy`, which
 * concern any resource a browser fetches.
 */
const DOCUMENT_ONLY_HEADERS = [
  'Content-Security-Policy',
  'Cross-Origin-Opener-Policy',
  'Origin-Agent-Cluster',
  'Referrer-Policy',
  'Strict-Transport-Security',
  'X-DNS-Prefetch-Control',
  'X-Download-Options',
  'X-Frame-Options',
  'X-Permitted-Cross-Domain-Policies',
  'X-XSS-Protection',
] as const;

/** Takes helmet's document-only headers off a response that is about to become an event stream. */
export function dropDocumentHeaders(res: ServerResponse): void {
  for (const name of DOCUMENT_ONLY_HEADERS) res.removeHeader(name);
}
