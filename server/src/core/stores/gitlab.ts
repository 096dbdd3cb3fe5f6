// GitLab CI/CD project variable via @gitbeaker/rest: protected, environment-scoped, `file` type by
// default or masked(-and-hidden) base64. Creates the variable, or updates it when a variable with
// the same key and environment scope exists (GET then PUT, both with filter[environment_scope]).
import { ProjectVariables } from '@gitbeaker/rest';
import { checkCommonValue, StoreError, type PutResult, type SecretStore } from './secretStore';
import { Redactor } from './redact';
import { checkServerUrl, errorForStatus, hostOf, networkError, type StatusHints } from './http';
import { checkGitLabKey, checkGitLabProject, checkGitLabScope, checkMaskable, gitlabStoredValue, type GitLabMode } from './gitlabRules';
import type { GitLabTarget } from './target';
import { noRedirectRequester } from './gitlabRequester';

const DEFAULT_HOST = 'https://gitlab.com';
const PERMISSION = 'Project CI/CD variables need the Maintainer role and a token with the "api" scope.';

export interface GitLabStoreOptions {
  readonly token: string;
  /** Self-managed instance, e.g. https://gitlab.example.com. */
  readonly host?: string;
  readonly mode?: GitLabMode;
  /** Only pipelines on protected branches and tags get the variable; default true. */
  readonly protected?: boolean;
  /** For masked modes: create it masked-and-hidden (GitLab 17.4+); default true. */
  readonly hidden?: boolean;
  readonly description?: string;
  readonly allowInsecureHttp?: boolean;
  readonly timeoutMs?: number;
}

interface GitbeakerLikeError {
  name?: string;
  cause?: { description?: unknown; response?: { status?: unknown } };
}

/** A 404 for the variable itself (the project exists). */
const MISSING = 'missing' as const;

export class GitLabVariableStore implements SecretStore {
  readonly kind = 'gitlab' as const;
  private readonly host: string;
  private readonly mode: GitLabMode;
  private readonly scope: string;
  readonly #api: InstanceType<typeof ProjectVariables<false>>;
  // ES private fields: util.inspect and JSON.stringify of a store never show the token.
  readonly #options: GitLabStoreOptions;
  readonly #redactor: Redactor;

  constructor(
    readonly target: GitLabTarget,
    options: GitLabStoreOptions,
  ) {
    this.#options = options;
    this.host = (options.host ?? DEFAULT_HOST).replace(/\/+$/, '');
    this.mode = options.mode ?? 'file';
    this.scope = target.environmentScope ?? '*';
    this.#redactor = new Redactor([options.token]);
    this.#api = new ProjectVariables({
      host: this.host,
      token: options.token,
      queryTimeout: options.timeoutMs ?? 30_000,
      requesterFn: noRedirectRequester(this.hints('').service),
    });
  }

  describe(): string {
    const type = this.mode === 'file' ? 'file variable' : this.mode === 'masked-base64' ? 'masked variable (base64)' : 'masked variable';
    const host = this.host === DEFAULT_HOST ? '' : ` on ${hostOf(this.host)}`;
    const protectedText = this.#options.protected === false ? '' : 'protected ';
    return `GitLab CI/CD ${protectedText}${type} ${this.target.key} of project ${this.target.project} (environment scope "${this.scope}")${host}`;
  }

  private checkTarget(): void {
    if (!this.#options.token) throw new StoreError('auth', 'A GitLab token is required (CLI: set GITLAB_TOKEN).');
    checkServerUrl(this.host, 'The GitLab URL', this.#options.allowInsecureHttp);
    checkGitLabProject(this.target.project);
    checkGitLabKey(this.target.key, this.mode);
    checkGitLabScope(this.scope);
  }

  validate(value: string): void {
    this.checkTarget();
    checkCommonValue(value);
    checkMaskable(gitlabStoredValue(value, this.mode), this.mode);
  }

  private hints(action: string): StatusHints {
    return {
      service: this.host === DEFAULT_HOST ? 'GitLab' : `GitLab at ${hostOf(this.host)}`,
      action,
      permission: PERMISSION,
      scrub: (t) => this.#redactor.scrub(t),
      notFound: `Project ${this.target.project} was not found or the token cannot see it`,
    };
  }

  /** Runs a gitbeaker call; a 404 for a missing variable comes back as MISSING, a missing project throws. */
  private async call<T>(action: string, fn: () => Promise<T>): Promise<T | typeof MISSING> {
    const h = this.hints(action);
    try {
      return await fn();
    } catch (e) {
      if (e instanceof StoreError) throw e; // a refused redirect, already worded for the user
      const err = e as GitbeakerLikeError;
      const status = err?.cause?.response?.status;
      const description = typeof err?.cause?.description === 'string' ? err.cause.description : undefined;
      if (typeof status === 'number') {
        if (status === 404 && description !== undefined && /variable not found/i.test(description)) return MISSING;
        throw errorForStatus(status, description, h);
      }
      if (err?.name === 'GitbeakerRetryError') throw new StoreError('server', `${h.service} kept answering 429/502 while trying to ${action}; try again later.`);
      throw networkError(h, e);
    }
  }

  private get filter() {
    return { environment_scope: this.scope };
  }

  put(value: string): Promise<PutResult> {
    // Kept for the store's lifetime (in a private field): server echoes of it are scrubbed too.
    this.#redactor.add(value, true);
    return this.#redactor.guard(async () => {
      this.validate(value);
      const stored = gitlabStoredValue(value, this.mode);
      this.#redactor.add(stored, true);
      const { project, key } = this.target;
      const masked = this.mode !== 'file';
      const common = {
        variableType: masked ? ('env_var' as const) : ('file' as const),
        protected: this.#options.protected ?? true,
        masked,
        raw: true,
        environmentScope: this.scope,
      };
      const current = await this.call(`read variable ${key} of project ${project}`, () => this.#api.show(project, key, { filter: this.filter }));
      const warnings = this.warnings();
      if (current === MISSING) {
        const hidden = masked && (this.#options.hidden ?? true);
        await this.call(`create variable ${key} of project ${project}`, () =>
          this.#api.create(project, key, stored, {
            ...common,
            ...(hidden ? { masked_and_hidden: true } : {}),
            ...(this.#options.description ? { description: this.#options.description } : {}),
          }),
        );
        return { action: 'created', location: this.describe(), warnings };
      }
      await this.call(`update variable ${key} of project ${project}`, () => this.#api.edit(project, key, stored, { ...common, filter: this.filter }));
      if (masked && (this.#options.hidden ?? true) && current['hidden'] !== true) {
        warnings.push(`The existing variable ${key} was updated but is not hidden: GitLab sets "hidden" only at creation. Delete it and export again to make it hidden.`);
      }
      return { action: 'updated', location: this.describe(), warnings };
    });
  }

  private warnings(): string[] {
    const out: string[] = [];
    const key = this.target.key;
    if (this.mode === 'masked-base64') {
      out.push(`The job must decode it (echo "$${key}" | base64 -d > "$CI_PROJECT_DIR/.kubeconfig"): GitLab masks the base64 text in job logs, but not the decoded copy.`);
    }
    if (this.mode === 'file') {
      out.push(`GitLab cannot mask a multi-line kubeconfig, so this file variable is not masked: never print $${key}'s file in a job.`);
    }
    if (this.#options.protected === false) out.push(`The variable is not protected: pipelines on any branch can read ${key}.`);
    return out;
  }

  delete(): Promise<void> {
    return this.#redactor.guard(async () => {
      this.checkTarget();
      const { project, key } = this.target;
      await this.call(`delete variable ${key} of project ${project}`, () => this.#api.remove(project, key, { filter: this.filter }));
    });
  }

  exists(): Promise<boolean> {
    return this.#redactor.guard(async () => {
      this.checkTarget();
      const { project, key } = this.target;
      const found = await this.call(`read variable ${key} of project ${project}`, () => this.#api.show(project, key, { filter: this.filter }));
      return found !== MISSING;
    });
  }
}
