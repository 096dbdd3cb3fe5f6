/**
 * `pipeline-rbac identity create|rotate|revoke|manifests|oidc`: the pipeline-identity flows of
 * server/src/identity on the command line. Progress, warnings and audit lines go to stderr; the
 * result (text, or JSON with --format json) goes to stdout. Neither ever holds the token.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { V1RoleBinding } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import {
  createIdentity,
  DEFAULT_TOKEN_SECONDS,
  IdentityError,
  identityManifests,
  InvalidInputError,
  parseDuration,
  pipelineSnippets,
  revokeIdentity,
  rotateToken,
  type IdentityPlan,
  type Logger,
  type OidcProvider,
  type PipelineInfo,
  type Progress,
  type RoleSource,
  type TokenKind,
} from '../identity';
import { renderCreate, renderRevoke, renderRotate } from '../identity/summary';
import { recordKey } from '../identity/exportRecords';
import { KubeconfigError, loadKubeconfig, type LoadedKubeconfig } from '../live/kubeconfig';
import { createStore, credentialsFromEnv, parseExportTarget, StoreError, type ExportTarget, type GitLabMode, type SecretStore } from '../stores';
import { UsageError } from './errors';
import { readText } from './files';
import { prepareOidc, renderOidc } from './identityOidc';
import { applyOidcBinding } from '../identity/oidcApply';
import { escapeLines } from '../shared/controlChars';
import { chooseTarget, cliRecords, recordableSpec } from './identityTarget';

export const IDENTITY_USAGE = `Usage: pipeline-rbac identity <command> [options]

  create     --namespace NS --name NAME (--role-file FILE | --role EXISTING) --export TARGET
             [--token request|secret] [--duration 720h] [--server URL]
             [--repo ORG/REPO] [--environment ENV] [--gitlab-mode file|masked-base64|masked] [--allow-insecure-server]
      Check the Role against what you hold, apply ServiceAccount, Role and RoleBinding (server-side apply),
      mint a token, build a kubeconfig and export it. Any failure rolls back what the run created.
  rotate     --namespace NS --name NAME (--export TARGET | --use-recorded-target) [--token request|secret]
             [--duration D] [--server URL] [--allow-insecure-server]
      New token (default lifetime: as last time), exported to TARGET, old token revoked and checked to be refused.
  revoke     --namespace NS --name NAME [--delete-secret (--export TARGET | --use-recorded-target)]
      Delete the token Secrets, RoleBinding, Role (if created by this tool) and ServiceAccount;
      --delete-secret also deletes the stored kubeconfig.
  manifests  --namespace NS --name NAME (--role-file FILE | --role EXISTING) [--repo R] [--environment E] [--output FILE]
      ServiceAccount/Role/RoleBinding YAML for a GitOps repository (no cluster access, no token).
  oidc       --namespace NS --provider github|gitlab --repo ORG/REPO|GROUP/PROJECT (--role NAME | --role-file FILE)
             [--environment ENV | --pull-request | --branch B | --tag T] [--subject SUB] [--audience AUD]
             [--prefix P] [--issuer URL] [--certificate-authority FILE] [--output FILE] [--apply]
      RoleBinding for the CI provider's OIDC identity, the API server's AuthenticationConfiguration entry and
      the workflow snippet: a keyless pipeline, no stored secret. The issuer follows the configured host:
      GITHUB_API_URL of a GitHub Enterprise Server (https://HOST/_services/token), GITLAB_HOST of a
      self-managed GitLab (its URL); else the public issuer. --issuer overrides; --certificate-authority
      adds the PEM CA of a self-managed issuer's HTTPS certificate. --apply also applies the Role (from
      --role-file) and the RoleBinding to the cluster: checked against your rights first, dry run, rolled back
      on failure.

Common: --kubeconfig FILE, --context NAME, --format text|json (json prints the result, never the token).
--use-recorded-target: the target this machine recorded when it exported ($XDG_CONFIG_HOME/pipeline-rbac/exports.json);
  without it the recorded target is only printed. The ServiceAccount's annotations are never used.
--allow-insecure-server: export a kubeconfig for an http:// API server, or with insecure-skip-tls-verify, anyway.
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
      allowInsecureServer: boolean;
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
      useRecorded: boolean;
      allowInsecureServer: boolean;
      conn: Connection;
      format: Format;
    }
  | { sub: 'revoke'; namespace: string; name: string; deleteSecret: boolean; export?: string; useRecorded: boolean; gitlabMode?: GitLabMode; conn: Connection; format: Format }
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
      certificateAuthority?: string;
      output?: string;
      apply: boolean;
      conn: Connection;
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
  'use-recorded-target': { type: 'boolean' },
  'allow-insecure-server': { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  provider: { type: 'string' },
  'pull-request': { type: 'boolean' },
  branch: { type: 'string' },
  tag: { type: 'string' },
  subject: { type: 'string' },
  audience: { type: 'string' },
  prefix: { type: 'string' },
  issuer: { type: 'string' },
  'certificate-authority': { type: 'string' },
  apply: { type: 'boolean' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  format: { type: 'string', short: 'f' },
  help: { type: 'boolean', short: 'h' },
} as const;

type OptionName = keyof typeof OPTIONS;

/** Which options each subcommand accepts (others are usage errors, so typos never go unnoticed). */
const ALLOWED: Record<Subcommand, readonly OptionName[]> = {
  create: ['namespace', 'name', 'role-file', 'role', 'token', 'duration', 'export', 'server', 'repo', 'environment', 'gitlab-mode', 'allow-insecure-server', 'kubeconfig', 'context', 'format'],
  rotate: ['namespace', 'name', 'export', 'use-recorded-target', 'token', 'duration', 'server', 'gitlab-mode', 'allow-insecure-server', 'kubeconfig', 'context', 'format'],
  revoke: ['namespace', 'name', 'delete-secret', 'export', 'use-recorded-target', 'gitlab-mode', 'kubeconfig', 'context', 'format'],
  manifests: ['namespace', 'name', 'role-file', 'role', 'repo', 'environment', 'output', 'format'],
  oidc: ['namespace', 'provider', 'repo', 'role', 'role-file', 'environment', 'pull-request', 'branch', 'tag', 'subject', 'audience', 'prefix', 'issuer', 'certificate-authority', 'output', 'apply', 'kubeconfig', 'context', 'format'],
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
        allowInsecureServer: values['allow-insecure-server'] === true,
        conn,
        format,
      };
    }
    case 'rotate': {
      const kind = tokenKind();
      if (kind === 'secret' && values.duration !== undefined) throw new UsageError('--duration applies to --token request only');
      if (values['use-recorded-target'] && values.export !== undefined) throw new UsageError('--export and --use-recorded-target cannot be combined');
      return {
        sub: 'rotate',
        namespace: required('namespace'),
        name: required('name'),
        ...opt('export', exportSpec()),
        ...(kind ? { tokenKind: kind } : {}),
        ...(values.duration !== undefined ? { durationSeconds: duration() } : {}),
        ...opt('server', str('server')),
        ...gl,
        useRecorded: values['use-recorded-target'] === true,
        allowInsecureServer: values['allow-insecure-server'] === true,
        conn,
        format,
      };
    }
    case 'revoke': {
      const deleteSecret = values['delete-secret'] === true;
      if (!deleteSecret && (values.export !== undefined || values['use-recorded-target'])) throw new UsageError('--export and --use-recorded-target go with --delete-secret (revoke changes no store otherwise)');
      if (values['use-recorded-target'] && values.export !== undefined) throw new UsageError('--export and --use-recorded-target cannot be combined');
      return { sub: 'revoke', namespace: required('namespace'), name: required('name'), deleteSecret, ...opt('export', exportSpec()), useRecorded: values['use-recorded-target'] === true, ...gl, conn, format };
    }
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
        ...opt('certificateAuthority', str('certificate-authority')),
        ...opt('output', str('output')),
        apply: values.apply === true,
        conn,
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
      const spec = recordableSpec(cmd.export, io.cwd);
      const plan: IdentityPlan = {
        namespace: cmd.namespace,
        name: cmd.name,
        role,
        token: cmd.token,
        exportTarget: spec,
        allowInsecureServer: cmd.allowInsecureServer,
        ...(cmd.server ? { server: cmd.server } : {}),
        ...(cmd.pipeline ? { pipeline: cmd.pipeline } : {}),
      };
      const records = { store: cliRecords(io.env), key: recordKey(loaded.server, cmd.namespace, cmd.name), target: spec, ...(cmd.gitlabMode ? { gitlabMode: cmd.gitlabMode } : {}) };
      const result = await createIdentity(plan, { kubeconfig: loaded, store, logger, records }, cliProgress(io, cmd.format));
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
      const key = recordKey(loaded.server, cmd.namespace, cmd.name);
      const chosen = await chooseTarget(cmd, 'rotate the token', loaded, key, io.env, (m) => io.stderr(escapeLines(m)));
      const { store } = storeFor(chosen.spec, io, chosen.gitlabMode);
      const spec = recordableSpec(chosen.spec, io.cwd);
      const result = await rotateToken(
        {
          namespace: cmd.namespace,
          name: cmd.name,
          exportTarget: spec,
          allowInsecureServer: cmd.allowInsecureServer,
          ...(cmd.durationSeconds ? { durationSeconds: cmd.durationSeconds } : {}),
          ...(cmd.tokenKind ? { tokenKind: cmd.tokenKind } : {}),
          ...(cmd.server ? { server: cmd.server } : {}),
        },
        { kubeconfig: loaded, store, logger, records: { store: cliRecords(io.env), key, target: spec, ...(chosen.gitlabMode ? { gitlabMode: chosen.gitlabMode } : {}) } },
        cliProgress(io, cmd.format),
      );
      out(result, renderRotate(result));
      return 0;
    }
    case 'revoke': {
      const loaded = connect(cmd.conn, io.env);
      const key = recordKey(loaded.server, cmd.namespace, cmd.name);
      let store: SecretStore | undefined;
      if (cmd.deleteSecret) {
        const chosen = await chooseTarget(cmd, 'delete the stored kubeconfig', loaded, key, io.env, (m) => io.stderr(escapeLines(m)));
        store = storeFor(chosen.spec, io, chosen.gitlabMode).store;
      }
      const result = await revokeIdentity(
        { namespace: cmd.namespace, name: cmd.name, deleteStoredSecret: cmd.deleteSecret },
        { kubeconfig: loaded, logger, records: { store: cliRecords(io.env), key }, ...(store ? { store } : {}) },
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
      const r = await prepareOidc(cmd, io.env, io.cwd);
      // Connect before writing anything: an unreachable cluster leaves no half-done run behind.
      const loaded = cmd.apply ? connect(cmd.conn, io.env) : undefined;
      if (cmd.output) await writeOutput(resolve(io.cwd, cmd.output), r.manifests);
      const applied = loaded
        ? await applyOidcBinding(
            {
              namespace: cmd.namespace,
              role: r.role.yaml ? { kind: 'file', text: r.role.yaml, ...(r.role.file ? { path: r.role.file } : {}) } : { kind: 'existing', name: r.role.name },
              roleBinding: parseYaml(r.bundle.roleBinding) as V1RoleBinding,
            },
            { kubeconfig: loaded, logger },
            cliProgress(io, cmd.format),
          )
        : undefined;
      const json = { ...r.bundle, issuerSource: r.issuer.source, warnings: r.warnings, ...(cmd.output ? { output: cmd.output } : {}), ...(applied ? { applied } : {}) };
      out(json, renderOidc(r, cmd, applied));
      return 0;
    }
  }
}

async function writeOutput(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (err) {
    throw new UsageError(`cannot write ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

