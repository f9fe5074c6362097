/** Test support: HTTP/1.1 written by hand on raw sockets, for what fetch never sends. */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

export interface RawRequest {
  method: string;
  path: string;
  /** Sent as `Host`; a loopback name the server accepts by default. */
  host?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One request as it goes on the wire, with `Content-Length` for a body. */
export function rawRequest({ method, path, host = '127.0.0.1', headers = {}, body }: RawRequest) {
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body ?? ''}`;
}

/**
 * Connects to `port` on loopback and writes `requests` back to back (pipelined) without reading
 * anything: the socket stays paused, as a client that never reads its responses.
 */
export async function sendUnread(port: number, requests: string[]): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.pause();
  // Swallowed: the server may well cut a connection that never reads.
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write(requests.join(''));
  return socket;
}

/** Sends `text` as is and collects everything the server answers until it closes. */
export async function exchangeRaw(port: number, text: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  let answer = '';
  socket.on('data', (chunk: string) => {
    answer += chunk;
  });
  socket.on('error', () => undefined);
  socket.write(text);
  await once(socket, 'close');
  return answer;
}
