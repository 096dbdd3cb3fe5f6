/**
 * GET requests to the apiserver with the kubeconfig's credentials and TLS settings, for the list calls the identities
 * view makes. The generated client cannot ask for PartialObjectMetadataList (metadata only), so this goes one level
 * down; credentials still come from KubeConfig (tokens, client certs, exec plugins), never from here.
 */
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { Agent as HttpAgent, request as httpRequest, type Agent } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { LiveError, toLiveError } from '../live/liveError';

export interface JsonGetter {
  /** GET path (with query), parsed JSON body; throws LiveError on HTTP >= 400 or transport failure. */
  getJson(path: string, accept: string, what: string): Promise<unknown>;
}

/** Parallel connections to one apiserver. */
const MAX_SOCKETS = 16;

/** Upper bound on one response body, so a misbehaving server cannot exhaust memory. */
const MAX_BODY_BYTES = 256 * 1024 * 1024;

export class KubeHttp implements JsonGetter {
  /** Requests made, for the bench and the model's stats. */
  requests = 0;
  private agent: Agent | undefined;

  constructor(
    private readonly kc: KubeConfig,
    private readonly timeoutMs = 30_000,
  ) {}

  async getJson(path: string, accept: string, what: string): Promise<unknown> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new LiveError(`${what} failed: the kubeconfig context names no cluster`, 'other');
    const url = new URL(cluster.server.replace(/\/+$/, '') + path);
    const opts: RequestOptions = { headers: {} };
    try {
      await this.kc.applyToHTTPSOptions(opts);
    } catch (err) {
      throw toLiveError(err, what);
    }
    // One keep-alive agent per KubeHttp with the kubeconfig's TLS material, so pages and lists reuse connections
    // instead of a TLS handshake each (applyToHTTPSOptions builds a fresh, non-keep-alive agent per call). A cluster
    // behind a proxy keeps the library's agent, which knows how to reach it. Headers are re-applied per request.
    this.agent ??= cluster.proxyUrl
      ? (opts.agent as Agent | undefined)
      : url.protocol === 'http:'
        ? new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS })
        : new HttpsAgent({
            keepAlive: true,
            maxSockets: MAX_SOCKETS,
            ca: opts.ca,
            cert: opts.cert,
            key: opts.key,
            pfx: opts.pfx,
            passphrase: opts.passphrase,
            servername: opts.servername,
            ...(opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
          });
    const headers: Record<string, string> = { ...(opts.headers as Record<string, string>), Accept: accept, 'Accept-Encoding': 'identity' };
    if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    this.requests++;
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    const { status, body } = await new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      const req = send(
        url,
        { method: 'GET', headers, agent: this.agent, timeout: this.timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_BODY_BYTES) {
              req.destroy(new LiveError(`${what} failed: response larger than ${MAX_BODY_BYTES} bytes`, 'other'));
              return;
            }
            chunks.push(c);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new LiveError(`${what} timed out after ${this.timeoutMs} ms`, 'timeout')));
      req.on('error', reject);
      req.end();
    }).catch((err: unknown) => {
      throw toLiveError(err, what);
    });
    const text = body.toString('utf8');
    if (status >= 400) throw toLiveError({ code: status, body: text }, what);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new LiveError(`${what} failed: the apiserver answered with something that is not JSON`, 'other', status);
    }
  }

  dispose(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }
}
