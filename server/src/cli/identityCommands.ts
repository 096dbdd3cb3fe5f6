/**
 * What each `pipeline-rbac identity` subcommand does with its parsed arguments: connect, call the flow of
 * server/src/core/lifecycle, print the result (text, or JSON with --format json). Progress and warnings go to stderr.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  createIdentity,
  identityManifests,
  pipelineSnippets,
  revokeIdentity,
  rotateToken,
  rotationLifetime,
  type IdentityPlan,
  type Logger,
  type Progress,
  type RoleSource,
} from '../core/lifecycle';
import { renderCreate, renderRevoke, renderRotate } from '../core/lifecycle/summary';
import { recordKey } from '../core/lifecycle/exportRecords';
import { oidcBindingObject } from '../core/lifecycle/oidc';
import { applyOidcBinding } from '../core/lifecycle/oidcApply';
import { KubeconfigError, loadKubeconfig, type LoadedKubeconfig } from '../core/live/kubeconfig';
import { escapeLines } from '../core/shared/controlChars';
import { createStore, credentialsFromEnv, type ExportTarget, type GitLabMode, type SecretStore } from '../core/stores';
import { UsageError } from './errors';
import { readText } from './files';
import { toTarget, type Connection, type Format, type IdentityCommand, type RoleArg } from './identityArgs';
import { prepareOidc, renderOidc } from './identityOidc';
import { chooseTarget, cliRecords, recordableSpec } from './identityTarget';

export interface IdentityIo {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const defaultIo = (): IdentityIo => ({
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

export async function runCommand(cmd: Exclude<IdentityCommand, { sub: 'help' }>, io: IdentityIo): Promise<number> {
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
      const lifetime = cmd.tokenKind === 'secret' ? undefined : await rotateLifetime(cmd.durationSeconds, key, io);
      const result = await rotateToken(
        {
          namespace: cmd.namespace,
          name: cmd.name,
          exportTarget: spec,
          allowInsecureServer: cmd.allowInsecureServer,
          ...(lifetime ? { durationSeconds: lifetime } : {}),
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
      // Bindings that still name the ServiceAccount: the revoke is not done, whatever it deleted.
      return result.remaining.length ? 1 : 0;
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
              roleBinding: oidcBindingObject(r.bundle),
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

/** The new token's lifetime (--duration, else this machine's record, else 30 days), printed before it is used. */
async function rotateLifetime(asked: number | undefined, key: string, io: IdentityIo): Promise<number> {
  const record = await cliRecords(io.env).get(key).catch(() => undefined);
  const choice = rotationLifetime({ ...(asked !== undefined ? { asked } : {}), ...(record ? { record } : {}) });
  for (const w of choice.warnings) io.stderr(`warning: ${escapeLines(w)}\n`);
  io.stderr(`Token lifetime: ${escapeLines(choice.describe)}\n`);
  return choice.seconds;
}

async function writeOutput(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (err) {
    throw new UsageError(`cannot write ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

