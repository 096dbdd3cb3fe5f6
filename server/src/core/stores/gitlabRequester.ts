// The HTTP side of the GitLab store: a gitbeaker requester like @gitbeaker/rest's own, except that it never
// follows a redirect. @gitbeaker/rest's fetch follows them, re-sending PRIVATE-TOKEN (and, on 307/308, the
// variable's value: the kubeconfig) to whatever origin the Location names, plain http included.
import { createRequesterFn, type FormattedResponse, type RequesterType, type ResourceOptions } from '@gitbeaker/requester-utils';
import { fetchNoRedirect } from './http';

/** Retries on 429/502, as @gitbeaker/rest does, but fewer: a user is waiting. */
const RETRY_STATUSES = new Set([429, 502]);
const RETRY_DELAYS_MS = [250, 1000];

/** What GitLabVariableStore reads from a failure (the shape @gitbeaker/rest throws). */
export class GitLabRequestError extends Error {
  override readonly name = 'GitbeakerRequestError';
  constructor(
    message: string,
    override readonly cause: { description: string; response: { status: number } },
  ) {
    super(message);
  }
}

async function body(res: Response): Promise<unknown> {
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
  if (res.status === 204) return null;
  if (type === 'application/json') return ((await res.json()) as unknown) ?? {};
  return res.text();
}

async function failure(res: Response): Promise<GitLabRequestError> {
  const text = await res.text().catch(() => '');
  let description = text;
  if ((res.headers.get('content-type') ?? '').includes('application/json')) {
    try {
      const json = JSON.parse(text) as { error?: unknown; message?: unknown } | null;
      const m = json?.error ?? json?.message ?? '';
      description = typeof m === 'string' ? m : JSON.stringify(m);
    } catch {
      // Not JSON after all: keep the text (the store scrubs and quotes it).
    }
  }
  return new GitLabRequestError(description, { description, response: { status: res.status } });
}

function retryError(status: number): Error {
  const e = new Error(`GitLab kept answering ${status}.`);
  e.name = 'GitbeakerRetryError';
  return e;
}

async function handle(service: string, endpoint: string, options?: Record<string, unknown>): Promise<FormattedResponse> {
  const o = (options ?? {}) as { prefixUrl?: string; searchParams?: string; method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal };
  const base = o.prefixUrl ? (o.prefixUrl.endsWith('/') ? o.prefixUrl : `${o.prefixUrl}/`) : undefined;
  const url = new URL(endpoint, base);
  url.search = o.searchParams ?? '';
  for (let attempt = 0; ; attempt++) {
    const init: RequestInit = { method: o.method ?? 'GET', headers: o.headers ?? {}, ...(o.body !== undefined ? { body: o.body } : {}), ...(o.signal ? { signal: o.signal } : {}) };
    const res = await fetchNoRedirect(service, url.href, init);
    if (res.ok) return { body: (await body(res)) as FormattedResponse['body'], headers: Object.fromEntries(res.headers.entries()), status: res.status };
    if (!RETRY_STATUSES.has(res.status)) throw await failure(res);
    await res.body?.cancel().catch(() => undefined);
    const wait = RETRY_DELAYS_MS[attempt];
    if (wait === undefined) throw retryError(res.status);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** A requesterFn for gitbeaker resources; `service` names the server in a redirect refusal ("GitLab at host"). */
export function noRedirectRequester(service: string): (options: ResourceOptions) => RequesterType {
  return createRequesterFn(
    (_, requestOptions) => Promise.resolve(requestOptions),
    (endpoint, options) => handle(service, endpoint, options),
  );
}
