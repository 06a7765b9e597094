import { RankerServer } from '../src/server';

/** A reply read whole: status, headers (lower-case names), body text. */
export interface HttpReply {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * Listens on 127.0.0.1 with a free port and returns the base URL. Tests use real loopback
 * sockets because fastify's `inject` loads the ESM-only `cookie` package, which jest cannot
 * require on Node 20.
 */
export async function listenOnLoopback(server: RankerServer): Promise<string> {
  return server.listen({ port: 0, host: '127.0.0.1' });
}

/** Sends one request and reads the whole reply. */
export async function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {},
): Promise<HttpReply> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: init.headers,
    body: init.body,
  });
  const body = await response.text();
  return {
    statusCode: response.status,
    headers: Object.fromEntries(response.headers.entries()),
    body,
    json: () => JSON.parse(body),
  };
}
