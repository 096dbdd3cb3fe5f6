// Minimal recording HTTP server for the secret-store fakes: listens on 127.0.0.1:0, records every
// request, can be told to fail matching requests with a given status, and hands the rest to the
// fake's router.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  /** Raw path without the query, still percent-encoded (so tests can check the encoding). */
  readonly rawPath: string;
  /** Path segments, each percent-decoded. */
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Parsed body when it was JSON. */
  readonly json: unknown;
}

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  /** Extra response headers, e.g. Location for a redirect. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface FailRule {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly method?: string;
  readonly path?: RegExp;
  /** How many matching requests fail; default 1. */
  times?: number;
}

export type Handler = (req: RecordedRequest) => Reply | Promise<Reply>;

export class FakeServer {
  readonly requests: RecordedRequest[] = [];
  private readonly failures: FailRule[] = [];
  private readonly hooks: Array<(req: RecordedRequest) => void> = [];
  private server: Server | undefined;
  private baseUrl = '';

  constructor(
    private readonly handler: Handler,
    /** Returns an error reply when the request's credentials are wrong. */
    private readonly checkAuth: (req: RecordedRequest) => Reply | undefined,
  ) {}

  get url(): string {
    return this.baseUrl;
  }

  /** The next `times` requests matching method/path get `status` with `body`. */
  failWith(rule: FailRule): this {
    this.failures.push({ times: 1, ...rule });
    return this;
  }

  /** Runs before routing for every request (e.g. to change state between two requests). */
  onRequest(hook: (req: RecordedRequest) => void): this {
    this.hooks.push(hook);
    return this;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.dispatch(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks).toString('utf8')).then((reply) => {
          if (reply.body === undefined) {
            res.writeHead(reply.status, { ...reply.headers }).end();
          } else {
            const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
            const type = typeof reply.body === 'string' ? 'text/plain' : 'application/json';
            res.writeHead(reply.status, { 'content-type': type, ...reply.headers }).end(text);
          }
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async dispatch(method: string, url: string, headers: IncomingHttpHeaders, body: string): Promise<Reply> {
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    let json: unknown;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch {
      json = undefined;
    }
    const req: RecordedRequest = {
      method,
      rawPath,
      segments: rawPath.split('/').filter(Boolean).map((s) => decodeURIComponent(s)),
      query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
      headers,
      body,
      json,
    };
    this.requests.push(req);
    for (const hook of this.hooks) hook(req);
    const failure = this.failures.find((f) => (f.times ?? 0) > 0 && (!f.method || f.method === method) && (!f.path || f.path.test(rawPath)));
    if (failure) {
      failure.times = (failure.times ?? 1) - 1;
      return { status: failure.status, body: failure.body, ...(failure.headers ? { headers: failure.headers } : {}) };
    }
    const denied = this.checkAuth(req);
    if (denied) return denied;
    try {
      return await this.handler(req);
    } catch (e) {
      return { status: 500, body: { message: `fake crashed: ${e instanceof Error ? e.message : String(e)}` } };
    }
  }
}

/** A loopback URL where nothing listens (a port that was just freed). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A second server that accepts anything (200 {}) and records it: where a test redirects to, to prove nothing arrives. */
export async function catchAllServer(): Promise<FakeServer> {
  const server = new FakeServer(
    () => ({ status: 200, body: {} }),
    () => undefined,
  );
  await server.start();
  return server;
}
