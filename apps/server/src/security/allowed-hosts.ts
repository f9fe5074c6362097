import { isIP } from 'node:net';
import { ERROR_CODES } from '@gpt-stream/protocol';
import type { RequestHandler } from 'express';
import type { Config } from '../config/config.ts';
import { sendError } from '../http/http-errors.ts';

const passThrough: RequestHandler = (_req, _res, next) => next();

/** `Host` without its port, lower case, without a trailing dot; IPv6 without its brackets. */
function hostnameOf(host: string): string {
  const lower = host.trim().toLowerCase();
  const name = lower.startsWith('[')
    ? lower.slice(1, lower.indexOf(']'))
    : lower.replace(/:\d*$/, '');
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** Names that only ever mean this machine: browsers resolve `localhost` themselves. */
function isLoopbackName(name: string): boolean {
  if (name === 'localhost' || name.endsWith('.localhost') || name === '::1') return true;
  return isIP(name) === 4 && name.startsWith('127.');
}

/** True when the server listens on loopback only (HOST), so only this machine can reach it. */
export function isLoopbackBind(host: string): boolean {
  return isLoopbackName(hostnameOf(host.includes(':') ? `[${host}]` : host));
}

/** `chat.example.com` exactly, or `.example.com` for the domain and every name under it. */
function isListed(name: string, allowedHosts: readonly string[]): boolean {
  return allowedHosts.some((entry) =>
    entry.startsWith('.') ? name === entry.slice(1) || name.endsWith(entry) : name === entry,
  );
}

/**
 * Against DNS rebinding: a hostile page whose own name it points at 127.0.0.1 talks to this
 * server from the victim's browser as a same-origin page, with the `Host` of its own name. Only
 * names this server answers to pass: loopback names always, names in `ALLOWED_HOSTS`, and, when
 * the server listens on the network, IP addresses (an address cannot be rebound). `*` turns the
 * check off. A request without `Host` (HTTP/1.0) passes: browsers always send one.
 */
export function allowedHosts({
  host,
  allowedHosts: listed,
}: Pick<Config, 'host' | 'allowedHosts'>): RequestHandler {
  if (listed.includes('*')) return passThrough;
  const addressesPass = !isLoopbackBind(host);
  return (req, res, next) => {
    const header = req.headers.host;
    if (header === undefined) return next();
    const name = hostnameOf(header);
    if (isLoopbackName(name) || isListed(name, listed) || (addressesPass && isIP(name) !== 0)) {
      return next();
    }
    sendError(
      res,
      403,
      ERROR_CODES.hostNotAllowed,
      `This server does not answer to the host name "${name}". Its operator can add it to ALLOWED_HOSTS.`,
    );
  };
}
