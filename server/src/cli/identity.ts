/**
 * `pipeline-rbac identity create|rotate|revoke|manifests|oidc`: the pipeline-identity flows of
 * server/src/identity on the command line. Progress, warnings and audit lines go to stderr; the
 * result (text, or JSON with --format json) goes to stdout. Neither ever holds the token.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createIdentity,
  DEFAULT_TOKEN_SECONDS,
  IdentityError,
  identityManifests,
  InvalidInputError,
  oidcBundle,
  parseDuration,
  pipelineSnippets,
  revokeIdentity,
  roleFromFile,
  rotateToken,
  ANNOTATIONS,
  type IdentityPlan,
  type Logger,
  type OidcProvider,
  type PipelineInfo,
  type Progress,
  type RoleSource,
  type TokenKind,
} from '../identity';
import { renderCreate, renderRevoke, renderRotate } from '../identity/summary';
import { KubeIdentityCluster } from '../identity/kube';
import { KubeconfigError, loadKubeconfig, type LoadedKubeconfig } from '../live/kubeconfig';
import { createStore, credentialsFromEnv, parseExportTarget, StoreError, type ExportTarget, type GitLabMode, type SecretStore } from '../stores';
import { UsageError } from './errors';
import { readText } from './files';
import { escapeLines } from '../shared/controlChars';

export const IDENTITY_USAGE = `Usage: pipeline-rbac identity <command> [options]

  create     --namespace NS --name NAME (--role-file FILE | --role EXISTING) --export TARGET
             [--token request|secret] [--duration 720h] [--server URL]
             [--repo ORG/REPO] [--environment ENV] [--gitlab-mode file|masked-base64|masked]
      Check the Role against what you hold, apply ServiceAccount, Role and RoleBinding (server-side apply),
      mint a token, build a kubeconfig and export it. Any failure rolls back what the run created.
  rotate     --namespace NS --name NAME [--export TARGET] [--token request|secret] [--duration D] [--server URL]
      New token (default lifetime: as last time), re-exported to the same store (default: the recorded
      export target), old token revoked.
  revoke     --namespace NS --name NAME [--delete-secret] [--export TARGET]
      Delete the token Secret, RoleBinding, Role (if created by this tool) and ServiceAccount;
      --delete-secret also deletes the stored kubeconfig.
  manifests  --namespace NS --name NAME (--role-file FILE | --role EXISTING) [--repo R] [--environment E] [--output FILE]
      ServiceAccount/Role/RoleBinding YAML for a GitOps repository (no cluster access, no token).
  oidc       --namespace NS --provider github|gitlab --repo ORG/REPO|GROUP/PROJECT (--role NAME | --role-file FILE)
             [--environment ENV | --pull-request | --branch B | --tag T] [--subject SUB] [--audience AUD]
             [--prefix P] [--issuer URL] [--output FILE]
      RoleBinding for the CI provider's OIDC identity, the API server's AuthenticationConfiguration entry and
      the workflow snippet: a keyless pipeline, no stored secret.

Common: --kubeconfig FILE, --context NAME, --format text|json (json prints the result, never the token).
Export targets: github:OWNER/REPO[@ENV]:SECRET | gitlab:PROJECT:VAR[@SCOPE] | vault:MOUNT/PATH | file:PATH
Store credentials come from GITHUB_TOKEN, GITHUB_API_URL, GITLAB_TOKEN, GITLAB_HOST, VAULT_TOKEN, VAULT_ADDR.
Exit codes: 0 done, 1 refused or failed (nothing left behind unless stated), 2 usage error or cluster unreachable.
`;

const SUBCOMMANDS = ['create', 'rotate', 'revoke', 'manifests', 'oidc'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];
type Format = 'text' | 'json';

interface Connection {
  kubeconfig?: string;
  context?: string;
}

type RoleArg = { file: string } | { existing: string };

export type IdentityCommand =
  | { sub: 'help' }
  | {
      sub: 'create';
      namespace: string;
      name: string;
      role: RoleArg;
      token: IdentityPlan['token'];
      export: string;
      server?: string;
      pipeline?: PipelineInfo;
      gitlabMode?: GitLabMode;
      conn: Connection;
      format: Format;
    }
  | {
      sub: 'rotate';
      namespace: string;
      name: string;
      export?: string;
      tokenKind?: TokenKind;
      /** Absent: the lifetime asked for last time. */
      durationSeconds?: number;
      server?: string;
      gitlabMode?: GitLabMode;
      conn: Connection;
      format: Format;
    }
  | { sub: 'revoke'; namespace: string; name: string; deleteSecret: boolean; export?: string; gitlabMode?: GitLabMode; conn: Connection; format: Format }
  | { sub: 'manifests'; namespace: string; name: string; role: RoleArg; pipeline?: PipelineInfo; output?: string; format: Format }
  | {
      sub: 'oidc';
      namespace: string;
      provider: OidcProvider;
      repo: string;
      role: RoleArg;
      environment?: string;
      pullRequest: boolean;
      ref?: { type: 'branch' | 'tag'; name: string };
      subject?: string;
      audience: string;
      prefix?: string;
      issuer?: string;
      output?: string;
      format: Format;
    };

const OPTIONS = {
  namespace: { type: 'string', short: 'n' },
  name: { type: 'string' },
  'role-file': { type: 'string' },
  role: { type: 'string' },
  token: { type: 'string' },
  duration: { type: 'string' },
  export: { type: 'string' },
  server: { type: 'string' },
  repo: { type: 'string' },
  environment: { type: 'string' },
  'gitlab-mode': { type: 'string' },
  'delete-secret': { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  provider: { type: 'string' },
  'pull-request': { type: 'boolean' },
  branch: { type: 'string' },
  tag: { type: 'string' },
  subject: { type: 'string' },
  audience: { type: 'string' },
  prefix: { type: 'string' },
  issuer: { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  format: { type: 'string', short: 'f' },
  help: { type: 'boolean', short: 'h' },
} as const;

type OptionName = keyof typeof OPTIONS;

/** Which options each subcommand accepts (others are usage errors, so typos never go unnoticed). */
const ALLOWED: Record<Subcommand, readonly OptionName[]> = {
  create: ['namespace', 'name', 'role-file', 'role', 'token', 'duration', 'export', 'server', 'repo', 'environment', 'gitlab-mode', 'kubeconfig', 'context', 'format'],
  rotate: ['namespace', 'name', 'export', 'token', 'duration', 'server', 'gitlab-mode', 'kubeconfig', 'context', 'format'],
  revoke: ['namespace', 'name', 'delete-secret', 'export', 'gitlab-mode', 'kubeconfig', 'context', 'format'],
  manifests: ['namespace', 'name', 'role-file', 'role', 'repo', 'environment', 'output', 'format'],
  oidc: ['namespace', 'provider', 'repo', 'role', 'role-file', 'environment', 'pull-request', 'branch', 'tag', 'subject', 'audience', 'prefix', 'issuer', 'output', 'format'],
};

/** Parses argv (after `identity`) into a command; throws UsageError. No I/O. */
export function parseIdentityArgs(argv: string[]): IdentityCommand {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') return { sub: 'help' };
  if (!(SUBCOMMANDS as readonly string[]).includes(sub)) throw new UsageError(`unknown identity command "${sub}" (expected ${SUBCOMMANDS.join(', ')})`);
  const s = sub as Subcommand;
  let values: Partial<Record<OptionName, string | boolean>>;
  try {
    const parsed = parseArgs({ args: rest, options: OPTIONS, allowPositionals: false, strict: true });
    values = parsed.values as Partial<Record<OptionName, string | boolean>>;
  } catch (err) {
    throw new UsageError(`identity ${s}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (values.help) return { sub: 'help' };
  for (const key of Object.keys(values) as OptionName[]) {
    if (!ALLOWED[s].includes(key)) throw new UsageError(`identity ${s} does not take --${key}`);
  }
  const str = (k: OptionName): string | undefined => {
    const v = values[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v === '') throw new UsageError(`--${k} needs a value`);
    return v;
  };
  const required = (k: OptionName): string => {
    const v = str(k);
    if (v === undefined) throw new UsageError(`identity ${s} needs --${k}`);
    return v;
  };
  const format = (str('format') ?? 'text') as Format;
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not "${format}"`);
  const conn: Connection = { ...(str('kubeconfig') ? { kubeconfig: str('kubeconfig') } : {}), ...(str('context') ? { context: str('context') } : {}) };
  const gitlabMode = str('gitlab-mode');
  if (gitlabMode !== undefined && !['file', 'masked-base64', 'masked'].includes(gitlabMode)) {
    throw new UsageError(`--gitlab-mode must be file, masked-base64 or masked, not "${gitlabMode}"`);
  }
  const gl = gitlabMode ? { gitlabMode: gitlabMode as GitLabMode } : {};
  const role = (): RoleArg => {
    const file = str('role-file');
    const existing = str('role');
    if (file && existing) throw new UsageError('--role-file and --role cannot be combined');
    if (file) return { file };
    if (existing) return { existing };
    throw new UsageError(`identity ${s} needs --role-file FILE or --role EXISTING_ROLE`);
  };
  const tokenKind = (): TokenKind | undefined => {
    const t = str('token');
    if (t === undefined) return undefined;
    if (t !== 'request' && t !== 'secret') throw new UsageError(`--token must be request or secret, not "${t}"`);
    return t;
  };
  const duration = (): number => {
    const d = str('duration');
    if (d === undefined) return DEFAULT_TOKEN_SECONDS;
    try {
      return parseDuration(d);
    } catch (err) {
      throw new UsageError(`--duration: ${(err as Error).message}`);
    }
  };
  const exportSpec = (): string | undefined => {
    const e = str('export');
    if (e !== undefined) toTarget(e);
    return e;
  };
  const pipeline = (): PipelineInfo | undefined => {
    const repo = str('repo');
    const environment = str('environment');
    return repo || environment ? { ...(repo ? { repo } : {}), ...(environment ? { environment } : {}) } : undefined;
  };
  const withPipeline = (p: PipelineInfo | undefined) => (p ? { pipeline: p } : {});
  const opt = <K extends string>(key: K, v: string | undefined) => (v !== undefined ? ({ [key]: v } as Record<K, string>) : {});

  switch (s) {
    case 'create': {
      const kind = tokenKind() ?? 'request';
      if (kind === 'secret' && values.duration !== undefined) throw new UsageError('--duration applies to --token request only (a token Secret never expires)');
      const exp = exportSpec();
      if (!exp) throw new UsageError('identity create needs --export TARGET (where the kubeconfig goes)');
      return {
        sub: 'create',
        namespace: required('namespace'),
        name: required('name'),
        role: role(),
        token: kind === 'request' ? { kind, durationSeconds: duration() } : { kind },
        export: exp,
        ...opt('server', str('server')),
        ...withPipeline(pipeline()),
        ...gl,
        conn,
        format,
      };
    }
    case 'rotate': {
      const kind = tokenKind();
      if (kind === 'secret' && values.duration !== undefined) throw new UsageError('--duration applies to --token request only');
      return {
        sub: 'rotate',
        namespace: required('namespace'),
        name: required('name'),
        ...opt('export', exportSpec()),
        ...(kind ? { tokenKind: kind } : {}),
        ...(values.duration !== undefined ? { durationSeconds: duration() } : {}),
        ...opt('server', str('server')),
        ...gl,
        conn,
        format,
      };
    }
    case 'revoke':
      return { sub: 'revoke', namespace: required('namespace'), name: required('name'), deleteSecret: values['delete-secret'] === true, ...opt('export', exportSpec()), ...gl, conn, format };
    case 'manifests':
      return { sub: 'manifests', namespace: required('namespace'), name: required('name'), role: role(), ...withPipeline(pipeline()), ...opt('output', str('output')), format };
    case 'oidc': {
      const provider = required('provider');
      if (provider !== 'github' && provider !== 'gitlab') throw new UsageError(`--provider must be github or gitlab, not "${provider}"`);
      const branch = str('branch');
      const tag = str('tag');
      if (branch && tag) throw new UsageError('--branch and --tag cannot be combined');
      const ref = branch ? { type: 'branch' as const, name: branch } : tag ? { type: 'tag' as const, name: tag } : undefined;
      return {
        sub: 'oidc',
        namespace: required('namespace'),
        provider,
        repo: required('repo'),
        role: role(),
        ...opt('environment', str('environment')),
        pullRequest: values['pull-request'] === true,
        ...(ref ? { ref } : {}),
        ...opt('subject', str('subject')),
        audience: str('audience') ?? 'kubernetes',
        ...opt('prefix', values.prefix === '' ? '' : str('prefix')),
        ...opt('issuer', str('issuer')),
        ...opt('output', str('output')),
        format,
      };
    }
  }
}

function toTarget(spec: string): ExportTarget {
  try {
    return parseExportTarget(spec);
  } catch (err) {
    throw new UsageError(`--export: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export interface IdentityIo {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const defaultIo = (): IdentityIo => ({
  env: process.env,
  cwd: process.cwd(),
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
});

function cliLogger(io: IdentityIo): Logger {
  return {
    info: (m) => io.stderr(`${escapeLines(m)}\n`),
    warn: (m) => io.stderr(`warning: ${escapeLines(m)}\n`),
    error: (m) => io.stderr(`error: ${escapeLines(m)}\n`),
  };
}

function cliProgress(io: IdentityIo, format: Format): Progress {
  return { step: (_s, message) => (format === 'text' ? io.stderr(`- ${escapeLines(message)}\n`) : undefined) };
}

function connect(conn: Connection, env: NodeJS.ProcessEnv): LoadedKubeconfig {
  try {
    return loadKubeconfig({ ...conn, trusted: true }, env);
  } catch (err) {
    if (err instanceof KubeconfigError) throw new UsageError(err.message);
    throw err;
  }
}

function storeFor(spec: string, io: IdentityIo, gitlabMode?: GitLabMode): { store: SecretStore; target: ExportTarget } {
  const target = toTarget(spec);
  return { target, store: createStore(target, credentialsFromEnv(io.env), { cwd: io.cwd, ...(gitlabMode ? { gitlabMode } : {}) }) };
}

async function roleSource(role: RoleArg, io: IdentityIo): Promise<RoleSource> {
  if ('existing' in role) return { kind: 'existing', name: role.existing };
  const path = resolve(io.cwd, role.file);
  return { kind: 'file', text: await readText(path), path: role.file };
}

export async function runIdentity(argv: string[], io: IdentityIo = defaultIo()): Promise<number> {
  const cmd = parseIdentityArgs(argv);
  if (cmd.sub === 'help') {
    io.stdout(IDENTITY_USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  try {
    return await run(cmd, io);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if (err instanceof InvalidInputError) throw new UsageError(err.message);
    if (err instanceof StoreError && err.code === 'invalid') throw new UsageError(err.message);
    if (err instanceof IdentityError) {
      if ('format' in cmd && cmd.format === 'json') {
        io.stdout(
          `${JSON.stringify({ error: { kind: err.kind, step: err.step, message: err.message, reasons: err.reasons, ...(err.rollback ? { rollback: err.rollback } : {}) } }, null, 2)}\n`,
        );
      }
      io.stderr(`pipeline-rbac: ${escapeLines(err.message)}\n`);
      // As for `check`: 2 for usage and I/O (unreachable cluster), 1 for refusals and failures.
      return err.kind === 'invalid' || err.kind === 'unreachable' ? 2 : 1;
    }
    throw err;
  }
}

async function run(cmd: Exclude<IdentityCommand, { sub: 'help' }>, io: IdentityIo): Promise<number> {
  const logger = cliLogger(io);
  // Text for people is escaped (cluster text must not drive the terminal or a CI log); YAML meant for kubectl is not.
  const out = (value: unknown, text: string, escape = true) =>
    io.stdout(cmd.format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : escape ? escapeLines(text) : text);
  switch (cmd.sub) {
    case 'create': {
      const role = await roleSource(cmd.role, io);
      const loaded = connect(cmd.conn, io.env);
      const { store, target } = storeFor(cmd.export, io, cmd.gitlabMode);
      const plan: IdentityPlan = {
        namespace: cmd.namespace,
        name: cmd.name,
        role,
        token: cmd.token,
        exportTarget: cmd.export,
        ...(cmd.server ? { server: cmd.server } : {}),
        ...(cmd.pipeline ? { pipeline: cmd.pipeline } : {}),
      };
      const result = await createIdentity(plan, { kubeconfig: loaded, store, logger }, cliProgress(io, cmd.format));
      const snippets = pipelineSnippets({
        target,
        namespace: cmd.namespace,
        ...(cmd.pipeline?.environment ? { environment: cmd.pipeline.environment } : {}),
        ...(cmd.gitlabMode === 'masked-base64' ? { gitlabVariableType: 'base64' as const } : {}),
      });
      out({ ...result, snippets }, renderCreate(result, snippets));
      return 0;
    }
    case 'rotate': {
      const loaded = connect(cmd.conn, io.env);
      const spec = cmd.export ?? (await recordedTarget(loaded, cmd.namespace, cmd.name));
      const { store } = storeFor(spec, io, cmd.gitlabMode);
      const result = await rotateToken(
        {
          namespace: cmd.namespace,
          name: cmd.name,
          ...(cmd.durationSeconds ? { durationSeconds: cmd.durationSeconds } : {}),
          ...(cmd.tokenKind ? { tokenKind: cmd.tokenKind } : {}),
          ...(cmd.server ? { server: cmd.server } : {}),
        },
        { kubeconfig: loaded, store, logger },
        cliProgress(io, cmd.format),
      );
      out(result, renderRotate(result));
      return 0;
    }
    case 'revoke': {
      const loaded = connect(cmd.conn, io.env);
      let store: SecretStore | undefined;
      if (cmd.deleteSecret) {
        const spec = cmd.export ?? (await recordedTarget(loaded, cmd.namespace, cmd.name));
        store = storeFor(spec, io, cmd.gitlabMode).store;
      }
      const result = await revokeIdentity(
        { namespace: cmd.namespace, name: cmd.name, deleteStoredSecret: cmd.deleteSecret },
        { kubeconfig: loaded, logger, ...(store ? { store } : {}) },
        cliProgress(io, cmd.format),
      );
      out(result, renderRevoke(result));
      return 0;
    }
    case 'manifests': {
      const role = await roleSource(cmd.role, io);
      const yaml = identityManifests({ namespace: cmd.namespace, name: cmd.name, role, ...(cmd.pipeline ? { pipeline: cmd.pipeline } : {}) });
      if (cmd.output) {
        await writeOutput(resolve(io.cwd, cmd.output), yaml);
        out({ output: cmd.output }, `Wrote ${cmd.output}\n`);
      } else out({ manifests: yaml }, yaml, false);
      return 0;
    }
    case 'oidc': {
      let roleName: string;
      let roleYaml: string | undefined;
      if ('existing' in cmd.role) roleName = cmd.role.existing;
      else {
        const text = await readText(resolve(io.cwd, cmd.role.file));
        roleName = roleFromFile(text, cmd.namespace, cmd.role.file).name;
        roleYaml = text.trimEnd();
      }
      const bundle = oidcBundle({
        provider: cmd.provider,
        repo: cmd.repo,
        namespace: cmd.namespace,
        roleName,
        audience: cmd.audience,
        pullRequest: cmd.pullRequest,
        ...(cmd.environment ? { environment: cmd.environment } : {}),
        ...(cmd.ref ? { ref: cmd.ref } : {}),
        ...(cmd.subject ? { subject: cmd.subject } : {}),
        ...(cmd.prefix !== undefined ? { prefix: cmd.prefix } : {}),
        ...(cmd.issuer ? { issuer: cmd.issuer } : {}),
      });
      const manifests = roleYaml ? `${roleYaml}\n---\n${bundle.roleBinding}` : bundle.roleBinding;
      if (cmd.output) await writeOutput(resolve(io.cwd, cmd.output), manifests);
      const text = [
        `OIDC subject ${bundle.subject} -> Kubernetes user ${bundle.username}`,
        '',
        cmd.output ? `RoleBinding written to ${cmd.output}` : `# RoleBinding\n${manifests.trimEnd()}`,
        '',
        '# API server authentication configuration',
        bundle.authenticationConfiguration.trimEnd(),
        '',
        `# ${cmd.provider === 'github' ? 'GitHub Actions workflow' : 'GitLab CI job'}`,
        bundle.workflow.trimEnd(),
        '',
        ...bundle.notes.map((n) => `Note: ${n}`),
        '',
      ].join('\n');
      out({ ...bundle, ...(cmd.output ? { output: cmd.output } : {}) }, text);
      return 0;
    }
  }
}

/** The export target recorded on the ServiceAccount at creation. */
async function recordedTarget(loaded: LoadedKubeconfig, namespace: string, name: string): Promise<string> {
  const sa = await new KubeIdentityCluster(loaded.kc).readServiceAccount(namespace, name).catch((err: unknown) => {
    throw new IdentityError(`reading ServiceAccount ${namespace}/${name} failed: ${err instanceof Error ? err.message : String(err)}`, 'cluster', 'preflight');
  });
  if (!sa) throw new IdentityError(`ServiceAccount ${namespace}/${name} does not exist.`, 'not-found', 'preflight');
  const spec = sa.metadata?.annotations?.[ANNOTATIONS.exportTarget];
  if (!spec) throw new UsageError(`${namespace}/${name} has no recorded export target (${ANNOTATIONS.exportTarget}); pass --export TARGET`);
  return spec;
}

async function writeOutput(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (err) {
    throw new UsageError(`cannot write ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

