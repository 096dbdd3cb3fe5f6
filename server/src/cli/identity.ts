/**
 * `pipeline-rbac identity create|rotate|revoke|manifests|oidc`: the pipeline-identity flows of
 * server/src/core/lifecycle on the command line. Progress, warnings and audit lines go to stderr; the
 * result (text, or JSON with --format json) goes to stdout. Neither ever holds the token.
 * Arguments are parsed in identityArgs.ts, each subcommand runs in identityCommands.ts.
 */
import { IdentityError, InvalidInputError } from '../core/lifecycle';
import { escapeLines } from '../core/shared/controlChars';
import { StoreError } from '../core/stores';
import { UsageError } from './errors';
import { parseIdentityArgs } from './identityArgs';
import { defaultIo, runCommand, type IdentityIo } from './identityCommands';

export { parseIdentityArgs, type IdentityCommand } from './identityArgs';
export type { IdentityIo } from './identityCommands';

export const IDENTITY_USAGE = `Usage: pipeline-rbac identity <command> [options]

  create     --namespace NS --name NAME (--role-file FILE | --role EXISTING) --export TARGET
             [--token request|secret] [--duration 720h] [--server URL]
             [--repo ORG/REPO] [--environment ENV] [--gitlab-mode file|masked-base64|masked] [--allow-insecure-server]
      Check the Role against what you hold, apply ServiceAccount, Role and RoleBinding (server-side apply),
      mint a token, build a kubeconfig and export it. Any failure rolls back what the run created.
  rotate     --namespace NS --name NAME (--export TARGET | --use-recorded-target) [--token request|secret]
             [--duration D] [--server URL] [--allow-insecure-server]
      New token (lifetime: --duration, else this machine's record of the last create/rotate, else 30d; at most
      365d; printed first), exported to TARGET, old token revoked and checked to be refused.
  revoke     --namespace NS --name NAME [--delete-secret (--export TARGET | --use-recorded-target)]
      Delete the token Secrets, the RoleBinding and Role this tool made for it (by their labels, never by
      annotations) and the ServiceAccount; --delete-secret also deletes the stored kubeconfig. Exits 1 while any
      RoleBinding or ClusterRoleBinding still names the ServiceAccount (listed as NOT fully revoked).
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

export async function runIdentity(argv: string[], io: IdentityIo = defaultIo()): Promise<number> {
  const cmd = parseIdentityArgs(argv);
  if (cmd.sub === 'help') {
    io.stdout(IDENTITY_USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  try {
    return await runCommand(cmd, io);
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
