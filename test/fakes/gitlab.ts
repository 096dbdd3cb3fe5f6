// Fake GitLab REST v4 project CI/CD variables, following https://docs.gitlab.com/api/project_level_variables/:
// GET/POST /projects/:id/variables, GET/PUT/DELETE /projects/:id/variables/:key with
// filter[environment_scope] (query string or JSON body), key and masking validation, 409 on
// ambiguous keys, PRIVATE-TOKEN auth, Maintainer role required.
import { FakeServer, type RecordedRequest, type Reply } from './httpFake';

export interface FakeVariable {
  key: string;
  value: string;
  variable_type: 'env_var' | 'file';
  protected: boolean;
  masked: boolean;
  hidden: boolean;
  raw: boolean;
  environment_scope: string;
  description: string | null;
}

export interface GitLabFakeOptions {
  readonly token: string;
  /** Projects by full path, with their numeric id and the token's role. */
  readonly projects: Record<string, { id: number; role?: 'maintainer' | 'developer' }>;
}

const MASKABLE = /^[a-zA-Z0-9_+=/@:.~-]{8,}$/;
const MASKABLE_RAW = /^\S{8,}$/;

export class GitLabFake {
  readonly server: FakeServer;
  private readonly variables = new Map<number, FakeVariable[]>();

  private constructor(private readonly options: GitLabFakeOptions) {
    this.server = new FakeServer((req) => this.route(req), (req) => this.auth(req));
  }

  static async start(options: GitLabFakeOptions): Promise<GitLabFake> {
    const fake = new GitLabFake(options);
    await fake.server.start();
    return fake;
  }

  get url(): string {
    return this.server.url;
  }

  get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  variable(project: string, key: string, scope = '*'): FakeVariable | undefined {
    const id = this.project(project)?.id;
    return id === undefined ? undefined : this.variables.get(id)?.find((v) => v.key === key && v.environment_scope === scope);
  }

  /** Seeds a variable as if created earlier (e.g. in the GitLab UI). */
  seed(project: string, v: Partial<FakeVariable> & { key: string; value: string }): void {
    const id = this.project(project)!.id;
    const list = this.variables.get(id) ?? [];
    list.push({ variable_type: 'env_var', protected: false, masked: false, hidden: false, raw: false, environment_scope: '*', description: null, ...v });
    this.variables.set(id, list);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private project(idOrPath: string): { id: number; role?: string } | undefined {
    for (const [path, p] of Object.entries(this.options.projects)) if (path === idOrPath || String(p.id) === idOrPath) return p;
    return undefined;
  }

  private auth(req: RecordedRequest): Reply | undefined {
    const bearer = /^Bearer (.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
    if (req.headers['private-token'] === this.options.token || bearer === this.options.token) return undefined;
    return { status: 401, body: { message: '401 Unauthorized' } };
  }

  private route(req: RecordedRequest): Reply {
    const s = req.segments;
    if (s[0] !== 'api' || s[1] !== 'v4' || s[2] !== 'projects' || s[4] !== 'variables' || s.length > 6) return { status: 404, body: { error: '404 Not Found' } };
    const project = this.project(s[3]!);
    if (!project) return notFound('Project');
    if (project.role === 'developer') return { status: 403, body: { message: '403 Forbidden' } };
    const list = this.variables.get(project.id) ?? [];
    this.variables.set(project.id, list);
    const body = (req.json ?? {}) as Record<string, unknown>;
    if (s.length === 5) {
      if (req.method === 'GET') return { status: 200, body: list.map(view) };
      if (req.method === 'POST') return this.create(list, body);
      return notFound('');
    }
    const key = s[5]!;
    const bodyFilter = (body['filter'] as Record<string, unknown> | undefined)?.['environment_scope'];
    const scope = req.query.get('filter[environment_scope]') ?? (typeof bodyFilter === 'string' ? bodyFilter : undefined);
    const matches = list.filter((v) => v.key === key && (scope === undefined || v.environment_scope === scope));
    if (matches.length === 0) return notFound('Variable');
    if (req.method === 'GET') return { status: 200, body: view(matches[0]!) };
    if (matches.length > 1) {
      return { status: 409, body: { message: "There are multiple variables with provided parameters. Please use 'filter[environment_scope]'" } };
    }
    const v = matches[0]!;
    if (req.method === 'DELETE') {
      list.splice(list.indexOf(v), 1);
      return { status: 204 };
    }
    if (req.method !== 'PUT') return notFound('');
    const next = { ...v, ...pick(body) };
    if (v.hidden && !next.masked) return { status: 400, body: { message: { masked: ['Masked and hidden variables cannot be unmasked'] } } };
    const bad = validate(next);
    if (bad) return bad;
    Object.assign(v, next);
    return { status: 200, body: view(v) };
  }

  private create(list: FakeVariable[], body: Record<string, unknown>): Reply {
    const v: FakeVariable = {
      key: String(body['key'] ?? ''),
      value: String(body['value'] ?? ''),
      variable_type: 'env_var',
      protected: false,
      masked: false,
      hidden: false,
      raw: false,
      environment_scope: '*',
      description: null,
      ...pick(body),
    };
    if (body['masked_and_hidden'] === true) {
      v.masked = true;
      v.hidden = true;
    }
    if (list.some((o) => o.key === v.key && o.environment_scope === v.environment_scope)) {
      return { status: 400, body: { message: { key: [`(${v.key}) has already been taken`] } } };
    }
    const bad = validate(v);
    if (bad) return bad;
    list.push(v);
    return { status: 201, body: view(v) };
  }
}

function pick(body: Record<string, unknown>): Partial<FakeVariable> {
  const out: Partial<FakeVariable> = {};
  if (typeof body['value'] === 'string') out.value = body['value'];
  if (body['variable_type'] === 'file' || body['variable_type'] === 'env_var') out.variable_type = body['variable_type'];
  for (const k of ['protected', 'masked', 'raw'] as const) if (typeof body[k] === 'boolean') out[k] = body[k];
  if (typeof body['environment_scope'] === 'string') out.environment_scope = body['environment_scope'];
  if (typeof body['description'] === 'string') out.description = body['description'];
  return out;
}

function validate(v: FakeVariable): Reply | undefined {
  if (!/^[A-Za-z0-9_]{1,255}$/.test(v.key)) return { status: 400, body: { message: { key: ["can contain only letters, digits and '_'."] } } };
  if (v.masked && !(v.raw ? MASKABLE_RAW : MASKABLE).test(v.value)) return { status: 400, body: { message: { value: ['is invalid'] } } };
  return undefined;
}

/** What the API returns: hidden values are never shown. */
function view(v: FakeVariable): Record<string, unknown> {
  return { ...v, value: v.hidden ? null : v.value };
}

function notFound(what: string): Reply {
  return { status: 404, body: { message: what ? `404 ${what} Not Found` : '404 Not Found' } };
}
