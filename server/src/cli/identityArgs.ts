/**
 * The arguments of `pipeline-rbac identity <command>`: which options each subcommand takes and the
 * command they make. No I/O; every mistake is a UsageError that names the option.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_TOKEN_SECONDS, parseDuration, type IdentityPlan, type PipelineInfo, type TokenKind } from '../core/lifecycle';
import { parseExportTarget, type ExportTarget, type GitLabMode } from '../core/stores';
import { UsageError } from './errors';
import type { OidcCommand } from './identityOidc';
import { errorText } from '../core/engine/text/errorText';

export const SUBCOMMANDS = ['create', 'rotate', 'revoke', 'manifests', 'oidc'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];
export type Format = 'text' | 'json';

export interface Connection {
  kubeconfig?: string;
  context?: string;
}

export type RoleArg = { file: string } | { existing: string };

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
  | ({ sub: 'oidc'; role: RoleArg; apply: boolean; conn: Connection; format: Format } & OidcCommand);

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

type Values = Partial<Record<OptionName, string | boolean>>;

/** Reads the options of one subcommand: each accessor throws a UsageError that names the option. */
function reader(s: Subcommand, values: Values) {
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
  return { values, str, required, format, conn, gl, role, tokenKind, duration, exportSpec, pipeline, withPipeline };
}

type Reader = ReturnType<typeof reader>;

const opt = <K extends string>(key: K, v: string | undefined) => (v !== undefined ? ({ [key]: v } as Record<K, string>) : {});

/** Parses argv (after `identity`) into a command; throws UsageError. No I/O. */
export function parseIdentityArgs(argv: string[]): IdentityCommand {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') return { sub: 'help' };
  if (!(SUBCOMMANDS as readonly string[]).includes(sub)) throw new UsageError(`unknown identity command "${sub}" (expected ${SUBCOMMANDS.join(', ')})`);
  const s = sub as Subcommand;
  let values: Values;
  try {
    const parsed = parseArgs({ args: rest, options: OPTIONS, allowPositionals: false, strict: true });
    values = parsed.values as Values;
  } catch (err) {
    throw new UsageError(`identity ${s}: ${errorText(err)}`);
  }
  if (values.help) return { sub: 'help' };
  for (const key of Object.keys(values) as OptionName[]) {
    if (!ALLOWED[s].includes(key)) throw new UsageError(`identity ${s} does not take --${key}`);
  }
  const r = reader(s, values);
  switch (s) {
    case 'create':
      return createArgs(r);
    case 'rotate':
      return rotateArgs(r);
    case 'revoke':
      return revokeArgs(r);
    case 'manifests':
      return { sub: 'manifests', namespace: r.required('namespace'), name: r.required('name'), role: r.role(), ...r.withPipeline(r.pipeline()), ...opt('output', r.str('output')), format: r.format };
    case 'oidc':
      return oidcArgs(r);
  }
}

function createArgs(r: Reader): IdentityCommand {
  const { values, str, required } = r;
  const kind = r.tokenKind() ?? 'request';
  if (kind === 'secret' && values.duration !== undefined) throw new UsageError('--duration applies to --token request only (a token Secret never expires)');
  const exp = r.exportSpec();
  if (!exp) throw new UsageError('identity create needs --export TARGET (where the kubeconfig goes)');
  return {
    sub: 'create',
    namespace: required('namespace'),
    name: required('name'),
    role: r.role(),
    token: kind === 'request' ? { kind, durationSeconds: r.duration() } : { kind },
    export: exp,
    ...opt('server', str('server')),
    ...r.withPipeline(r.pipeline()),
    ...r.gl,
    allowInsecureServer: values['allow-insecure-server'] === true,
    conn: r.conn,
    format: r.format,
  };
}

function rotateArgs(r: Reader): IdentityCommand {
  const { values, str, required } = r;
  const kind = r.tokenKind();
  if (kind === 'secret' && values.duration !== undefined) throw new UsageError('--duration applies to --token request only');
  if (values['use-recorded-target'] && values.export !== undefined) throw new UsageError('--export and --use-recorded-target cannot be combined');
  return {
    sub: 'rotate',
    namespace: required('namespace'),
    name: required('name'),
    ...opt('export', r.exportSpec()),
    ...(kind ? { tokenKind: kind } : {}),
    ...(values.duration !== undefined ? { durationSeconds: r.duration() } : {}),
    ...opt('server', str('server')),
    ...r.gl,
    useRecorded: values['use-recorded-target'] === true,
    allowInsecureServer: values['allow-insecure-server'] === true,
    conn: r.conn,
    format: r.format,
  };
}

function revokeArgs(r: Reader): IdentityCommand {
  const { values, required } = r;
  const deleteSecret = values['delete-secret'] === true;
  if (!deleteSecret && (values.export !== undefined || values['use-recorded-target'])) throw new UsageError('--export and --use-recorded-target go with --delete-secret (revoke changes no store otherwise)');
  if (values['use-recorded-target'] && values.export !== undefined) throw new UsageError('--export and --use-recorded-target cannot be combined');
  return { sub: 'revoke', namespace: required('namespace'), name: required('name'), deleteSecret, ...opt('export', r.exportSpec()), useRecorded: values['use-recorded-target'] === true, ...r.gl, conn: r.conn, format: r.format };
}

function oidcArgs(r: Reader): IdentityCommand {
  const { values, str, required } = r;
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
    role: r.role(),
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
    conn: r.conn,
    format: r.format,
  };
}

export function toTarget(spec: string): ExportTarget {
  try {
    return parseExportTarget(spec);
  } catch (err) {
    throw new UsageError(`--export: ${errorText(err)}`);
  }
}
