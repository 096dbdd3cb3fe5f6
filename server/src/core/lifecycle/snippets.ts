// How a pipeline uses the exported kubeconfig: GitHub Actions (azure/k8s-set-context with the
// secret's contents) and GitLab CI (a `file` variable is a path: KUBECONFIG points at it).
import type { ExportTarget } from '../stores/target';

export interface SnippetInput {
  readonly target: ExportTarget;
  readonly namespace: string;
  /** GitHub environment / GitLab environment for the job. */
  readonly environment?: string;
  /** How the GitLab store saved the value: a `file` variable (default) or a masked base64 env var. */
  readonly gitlabVariableType?: 'file' | 'base64';
}

export interface PipelineSnippets {
  readonly github?: string;
  readonly gitlab?: string;
  /** One-line hints (how to get a file export into a CI secret). */
  readonly notes: readonly string[];
}

function githubJob(secretExpr: string, namespace: string, environment: string | undefined, before: string[] = []): string {
  return [
    'jobs:',
    '  deploy:',
    '    runs-on: ubuntu-latest',
    ...(environment ? [`    environment: ${environment}`] : []),
    '    steps:',
    '      - uses: actions/checkout@v4',
    ...before,
    '      - uses: azure/setup-kubectl@v4',
    '      - uses: azure/k8s-set-context@v4',
    '        with:',
    '          method: kubeconfig',
    `          kubeconfig: ${secretExpr}`,
    `      - run: kubectl --namespace ${namespace} apply -f deploy/`,
    '',
  ].join('\n');
}

function gitlabJob(variable: string, type: 'file' | 'base64', namespace: string, environment: string | undefined, before: string[] = []): string {
  const load =
    type === 'file'
      ? [`    - export KUBECONFIG="$${variable}"   # a file variable holds the path of a temporary file`]
      : [
          // mktemp: a new 0600 file under $TMPDIR or /tmp, outside $CI_PROJECT_DIR where artifacts and caches are collected.
          '    - export KUBECONFIG="$(mktemp)"',
          `    - echo "$${variable}" | base64 -d > "$KUBECONFIG"`,
        ];
  return [
    'deploy:',
    '  image:',
    '    name: bitnami/kubectl:latest',
    '    entrypoint: [""]',
    ...(environment ? [`  environment: ${environment}`] : []),
    '  script:',
    ...before,
    ...load,
    `    - kubectl --namespace ${namespace} apply -f deploy/`,
    '  rules:',
    '    - if: $CI_COMMIT_REF_PROTECTED == "true"   # protected variables reach protected refs only',
    '',
  ].join('\n');
}

export function pipelineSnippets(i: SnippetInput): PipelineSnippets {
  const t = i.target;
  switch (t.kind) {
    case 'github':
      return { github: githubJob(`\${{ secrets.${t.name.toUpperCase()} }}`, i.namespace, t.environment ?? i.environment), notes: [] };
    case 'gitlab':
      return { gitlab: gitlabJob(t.key, i.gitlabVariableType ?? 'file', i.namespace, i.environment), notes: [] };
    case 'vault': {
      const path = `${t.mount}/data/${t.path}`;
      return {
        github: githubJob('${{ steps.vault.outputs.KUBECONFIG_CONTENT }}', i.namespace, i.environment, [
          '      - id: vault',
          '        uses: hashicorp/vault-action@v3',
          '        with:',
          '          url: ${{ vars.VAULT_ADDR }}',
          '          method: jwt',
          '          role: ci-deploy',
          `          secrets: ${path} kubeconfig | KUBECONFIG_CONTENT`,
        ]),
        gitlab: gitlabJob('KUBECONFIG_PATH', 'file', i.namespace, i.environment, [
          '    - export KUBECONFIG_PATH="$(mktemp)"',
          `    - vault kv get -mount=${t.mount} -field=kubeconfig ${t.path} > "$KUBECONFIG_PATH"`,
        ]),
        notes: [`The kubeconfig is in Vault at ${path} (field "kubeconfig"); the job authenticates to Vault with its own identity.`],
      };
    }
    case 'file':
      return {
        github: githubJob('${{ secrets.KUBECONFIG_DATA }}', i.namespace, i.environment),
        gitlab: gitlabJob('KUBECONFIG_FILE', 'file', i.namespace, i.environment),
        notes: [
          `Upload the file as a CI secret, then delete it: gh secret set KUBECONFIG_DATA${i.environment ? ` --env ${i.environment}` : ''} < ${t.path}`,
          'GitLab: Settings > CI/CD > Variables, type "File", protected, key KUBECONFIG_FILE (not KUBECONFIG).',
        ],
      };
  }
}
