// Keyless pipelines: bind a Role to the CI provider's OIDC identity (GitHub Actions `repo:ORG/REPO:...`,
// GitLab `project_path:...`) as it arrives through the API server's structured authentication
// configuration (claim `sub`, username prefix). No stored secret at all.
import type { V1RoleBinding } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { checkNamespace, checkRbacName, InvalidInputError } from './names';
import { RBAC_GROUP } from './types';

export type OidcProvider = 'github' | 'gitlab';

/** Annotations on a keyless RoleBinding: what it binds and which issuer the binding was made for (shown, never obeyed). */
export const OIDC_ANNOTATIONS = { subject: 'pipeline-rbac.io/oidc-subject', issuer: 'pipeline-rbac.io/oidc-issuer' } as const;

/** The public issuers (github.com, gitlab.com). Self-managed hosts issue their own tokens: see issuerForHost. */
export const OIDC_ISSUERS: Record<OidcProvider, string> = {
  github: 'https://token.actions.githubusercontent.com',
  gitlab: 'https://gitlab.com',
};

/** What the workflow runs for. Exactly one of environment, pullRequest, ref applies (GitLab: ref only). */
export interface OidcSubjectInput {
  readonly provider: OidcProvider;
  /** GitHub ORG/REPO, or GitLab group/subgroup/project. */
  readonly repo: string;
  readonly environment?: string;
  readonly pullRequest?: boolean;
  readonly ref?: { readonly type: 'branch' | 'tag'; readonly name: string };
}

const GITHUB_REPO = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/;
const GITLAB_PROJECT = /^[A-Za-z0-9_.][A-Za-z0-9_.-]*(\/[A-Za-z0-9_.][A-Za-z0-9_.-]*)+$/;

/** The `sub` claim the provider puts in the job's ID token for this input (default subject format). */
export function oidcSubject(i: OidcSubjectInput): string {
  const chosen = [i.environment !== undefined, i.pullRequest === true, i.ref !== undefined].filter(Boolean).length;
  if (chosen > 1) throw new InvalidInputError('choose one of environment, pull request or ref for the OIDC subject');
  if (i.provider === 'github') {
    if (!GITHUB_REPO.test(i.repo)) throw new InvalidInputError(`"${i.repo}" is not a GitHub ORG/REPO`);
    if (i.environment !== undefined) {
      if (!i.environment) throw new InvalidInputError('the environment name is empty');
      return `repo:${i.repo}:environment:${i.environment}`;
    }
    if (i.pullRequest) return `repo:${i.repo}:pull_request`;
    const ref = i.ref ?? { type: 'branch', name: 'main' };
    checkRef(ref.name);
    return `repo:${i.repo}:ref:refs/${ref.type === 'branch' ? 'heads' : 'tags'}/${ref.name}`;
  }
  if (!GITLAB_PROJECT.test(i.repo)) throw new InvalidInputError(`"${i.repo}" is not a GitLab project path (group/project)`);
  if (i.environment !== undefined || i.pullRequest) {
    throw new InvalidInputError('GitLab ID tokens name the ref, not the environment or merge request, in `sub`; pass a branch or tag');
  }
  const ref = i.ref ?? { type: 'branch', name: 'main' };
  checkRef(ref.name);
  return `project_path:${i.repo}:ref_type:${ref.type}:ref:${ref.name}`;
}

function checkRef(name: string): void {
  if (!name || /[\s:]/.test(name)) throw new InvalidInputError(`"${name}" is not a branch or tag name usable in an OIDC subject`);
}

/** Default username prefix: keeps CI identities apart from people and from other issuers. */
export function defaultPrefix(provider: OidcProvider): string {
  return `${provider}:`;
}

export interface OidcBindingInput {
  readonly namespace: string;
  readonly roleName: string;
  /** The `sub` claim (oidcSubject or a customized one). */
  readonly subject: string;
  /** claimMappings.username.prefix of the API server's jwt authenticator. */
  readonly prefix: string;
  /** Default: oidc-<role>. */
  readonly bindingName?: string;
  readonly provider: OidcProvider;
  /** The issuer the AuthenticationConfiguration entry trusts, recorded on the binding for the identities view. */
  readonly issuer?: string;
}

export function oidcUsername(prefix: string, subject: string): string {
  return `${prefix}${subject}`;
}

export function oidcRoleBinding(i: OidcBindingInput): V1RoleBinding {
  checkNamespace(i.namespace);
  checkRbacName(i.roleName);
  const name = i.bindingName ?? `oidc-${i.provider}-${i.roleName}`;
  checkRbacName(name, 'RoleBinding');
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'RoleBinding',
    metadata: {
      name,
      namespace: i.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'pipeline-rbac' },
      annotations: { [OIDC_ANNOTATIONS.subject]: i.subject, ...(i.issuer ? { [OIDC_ANNOTATIONS.issuer]: i.issuer } : {}) },
    },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: i.roleName },
    subjects: [{ apiGroup: RBAC_GROUP, kind: 'User', name: oidcUsername(i.prefix, i.subject) }],
  };
}

export interface AuthConfigInput {
  readonly provider: OidcProvider;
  /** Issuer URL; default the provider's public one (self-managed: see issuerForHost). */
  readonly issuer?: string;
  /** PEM of the CA that signed the issuer's serving certificate, when it is not a public one. */
  readonly certificateAuthority?: string;
  /** The audience the workflow requests and the API server accepts. */
  readonly audience: string;
  readonly prefix: string;
  /** Owner (GitHub org/user) or top-level group (GitLab) allowed to authenticate at all. */
  readonly owner?: string;
}

/** The `jwt` entry for the API server's --authentication-config (apiserver.config.k8s.io/v1, GA 1.34). */
export function authenticationConfiguration(i: AuthConfigInput): string {
  const issuer = i.issuer ?? OIDC_ISSUERS[i.provider];
  const ownerClaim = i.provider === 'github' ? 'repository_owner' : 'namespace_path';
  const rules = i.owner
    ? [
        {
          expression:
            i.provider === 'github'
              ? `claims.${ownerClaim} == ${JSON.stringify(i.owner)}`
              : `claims.${ownerClaim} == ${JSON.stringify(i.owner)} || claims.${ownerClaim}.startsWith(${JSON.stringify(`${i.owner}/`)})`,
          message: `only pipelines of ${i.owner} may authenticate`,
        },
      ]
    : [];
  const config = {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'AuthenticationConfiguration',
    jwt: [
      {
        issuer: {
          url: issuer,
          ...(i.certificateAuthority ? { certificateAuthority: i.certificateAuthority } : {}),
          audiences: [i.audience],
          audienceMatchPolicy: 'MatchAny',
        },
        ...(rules.length ? { claimValidationRules: rules } : {}),
        claimMappings: { username: { claim: 'sub', prefix: i.prefix } },
      },
    ],
  };
  return [
    '# kube-apiserver --authentication-config=<this file> (merge the jwt entry into an existing file).',
    '# Managed clusters that do not expose it: use an OIDC proxy (kube-oidc-proxy, OpenUnison) instead.',
    stringify(config, { lineWidth: 0 }).trimEnd(),
    '',
  ].join('\n');
}

export interface OidcWorkflowInput {
  readonly provider: OidcProvider;
  readonly audience: string;
  readonly namespace: string;
  readonly environment?: string;
  readonly ref?: { readonly type: 'branch' | 'tag'; readonly name: string };
}

/**
 * A kubeconfig written by the shell itself (a here-document: the token never becomes a process argument, as it
 * would with `kubectl config set-credentials --token`), mode 0600 through umask, outside the work tree.
 */
function kubeconfigHeredoc(server: string, caData: string, token: string, namespace: string): string[] {
  return [
    'umask 077',
    'cat > "$KUBECONFIG" <<EOF',
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: target',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${caData}`,
    'users:',
    '- name: ci',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: target',
    '  context:',
    '    cluster: target',
    '    user: ci',
    `    namespace: ${namespace}`,
    'current-context: target',
    'EOF',
  ];
}

/** The CI job that requests an ID token and uses it as the bearer token (server and CA as plain variables). */
export function oidcWorkflowSnippet(i: OidcWorkflowInput): string {
  checkNamespace(i.namespace);
  if (i.provider === 'github') {
    const login = [
      // The token endpoint answers {"count":N,"value":"<JWT>"}; no jq needed (a JWT holds no quotes or spaces).
      `TOKEN=$(curl -sSf -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=${encodeURIComponent(i.audience)}" | tr -d ' \\n' | grep -o '"value":"[^"]*"' | cut -d'"' -f4)`,
      '[ -n "$TOKEN" ] || { echo "::error::no OIDC token (does the job have permissions: id-token: write?)"; exit 1; }',
      'echo "::add-mask::$TOKEN"',
      'KUBECONFIG="$RUNNER_TEMP/kubeconfig"',
      ...kubeconfigHeredoc('${{ vars.K8S_SERVER }}', '${{ vars.K8S_CA_DATA }}', '$TOKEN', i.namespace),
      'echo "KUBECONFIG=$KUBECONFIG" >> "$GITHUB_ENV"',
    ];
    return [
      'permissions:',
      '  id-token: write   # lets the job request an OIDC token',
      '  contents: read',
      'jobs:',
      '  deploy:',
      '    runs-on: ubuntu-latest',
      ...(i.environment ? [`    environment: ${i.environment}`] : []),
      '    steps:',
      '      - uses: actions/checkout@v4',
      "      - name: Log in to Kubernetes with the job's OIDC token",
      '        run: |',
      ...login.map((l) => `          ${l}`),
      '      - run: kubectl apply -f deploy/',
      '',
    ].join('\n');
  }
  const login = ['export KUBECONFIG="$(mktemp -d)/kubeconfig"', ...kubeconfigHeredoc('$K8S_SERVER', '$K8S_CA_DATA', '$K8S_ID_TOKEN', i.namespace)];
  return [
    'deploy:',
    '  image:',
    '    name: bitnami/kubectl:latest',
    '    entrypoint: [""]',
    ...(i.environment ? [`  environment: ${i.environment}`] : []),
    '  id_tokens:',
    '    K8S_ID_TOKEN:',
    `      aud: ${i.audience}`,
    '  script:',
    '    - |',
    ...login.map((l) => `      ${l}`),
    '    - kubectl apply -f deploy/',
    ...(i.ref ? ['  rules:', `    - if: $CI_COMMIT_${i.ref.type === 'branch' ? 'BRANCH' : 'TAG'} == "${i.ref.name}"`] : []),
    '',
  ].join('\n');
}

export interface OidcBundle {
  /** The issuer the AuthenticationConfiguration entry trusts. */
  readonly issuer: string;
  readonly subject: string;
  readonly username: string;
  readonly roleBinding: string;
  readonly authenticationConfiguration: string;
  readonly workflow: string;
  /** What the user must know before using the binding (e.g. every pull-request run gets its rights). */
  readonly warnings: readonly string[];
  readonly notes: readonly string[];
}

export interface OidcInput extends OidcSubjectInput {
  readonly namespace: string;
  readonly roleName: string;
  readonly audience: string;
  readonly prefix?: string;
  readonly issuer?: string;
  /** PEM CA of the issuer's serving certificate (self-managed hosts with a private CA). */
  readonly certificateAuthority?: string;
  /** A subject to bind verbatim (e.g. from the repository's customized OIDC template). */
  readonly subject?: string;
  readonly bindingName?: string;
}

/** The bundle's RoleBinding as the object to apply: the YAML text is what the user saw, so that is what is applied. */
export function oidcBindingObject(bundle: Pick<OidcBundle, 'roleBinding'>): V1RoleBinding {
  return parse(bundle.roleBinding) as V1RoleBinding;
}

/** Everything "Create OIDC Binding" writes and shows. */
export function oidcBundle(i: OidcInput): OidcBundle {
  const subject = i.subject ?? oidcSubject(i);
  const prefix = i.prefix ?? defaultPrefix(i.provider);
  const owner = i.repo.split('/')[0];
  const issuer = i.issuer ?? OIDC_ISSUERS[i.provider];
  const binding = oidcRoleBinding({
    namespace: i.namespace,
    roleName: i.roleName,
    subject,
    prefix,
    provider: i.provider,
    issuer,
    ...(i.bindingName ? { bindingName: i.bindingName } : {}),
  });
  const warnings =
    i.pullRequest && !i.subject
      ? [`Every pull-request run of ${i.repo} gets these rights, whatever the pull request changes (its workflow included): bind only what anyone who can open a pull request there may do.`]
      : [];
  const notes = [
    `The API server must trust the issuer ${issuer} with claim "sub" and prefix "${prefix}" (the AuthenticationConfiguration entry); otherwise the binding names nobody.`,
    ...(issuer !== OIDC_ISSUERS[i.provider] && !i.certificateAuthority
      ? [`If ${issuer}'s HTTPS certificate is not from a CA the API server's host trusts, add that CA as issuer.certificateAuthority (CLI: --certificate-authority FILE).`]
      : []),
    ...(i.provider === 'github'
      ? [
          `GitHub repositories may use a customized subject template (and new repositories an owner@id/repo@id form): check GET /repos/${i.repo}/actions/oidc/customization/sub and pass --subject when it differs.`,
        ]
      : []),
    "Set K8S_SERVER and K8S_CA_DATA (base64 CA) as plain CI variables; they are not secrets. The job's ID token expires (GitHub's is short-lived, GitLab's lasts the job's timeout): log in right before the steps that use it.",
    `Does the cluster trust the issuer? Run the login step in a job, then \`kubectl auth whoami\` (a SelfSubjectReview): it prints ${oidcUsername(prefix, subject)} when it does; "Unauthorized" means the issuer, audience or CA is not configured (or the token expired). Managed clusters without --authentication-config: their provider's OIDC identity-provider setting, or an OIDC proxy such as kube-oidc-proxy or OpenUnison.`,
  ];
  return {
    issuer,
    subject,
    username: oidcUsername(prefix, subject),
    roleBinding: stringify(binding, { lineWidth: 0 }),
    authenticationConfiguration: authenticationConfiguration({
      provider: i.provider,
      audience: i.audience,
      prefix,
      issuer,
      ...(i.certificateAuthority ? { certificateAuthority: i.certificateAuthority } : {}),
      ...(owner ? { owner } : {}),
    }),
    workflow: oidcWorkflowSnippet({
      provider: i.provider,
      audience: i.audience,
      namespace: i.namespace,
      ...(i.environment ? { environment: i.environment } : {}),
      ...(i.ref ? { ref: i.ref } : {}),
    }),
    warnings,
    notes,
  };
}
