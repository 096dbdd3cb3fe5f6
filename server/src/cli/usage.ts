export const USAGE = `pipeline-rbac: least-privilege Kubernetes RBAC for CI/CD pipelines

Usage:
  pipeline-rbac check [paths|globs|charts|overlays|-...] [options]
      Check Role/ClusterRole/RoleBinding/ClusterRoleBinding YAML for escalation (not-held) and risks.
      Each path or glob must match a file (a directory: its *.yaml, *.yml, *.json); "-" reads standard
      input (helm template . | pipeline-rbac check -). A directory with Chart.yaml is rendered with
      \`helm template\`, one with a kustomization with \`kustomize build\`; findings point at the
      template or overlay file and line.
      --format F                 text, json, sarif, gitlab (Code Quality report) or github (workflow
                                 commands: annotations); default: github when GITHUB_ACTIONS=true, else text
      --config FILE              the repository config (default: .pipeline-rbac.yaml in the folder of the
                                 files checked or the nearest one above, up to the repository root)
      --baseline FILE            report only findings not in FILE (default: the config's baseline)
      --write-baseline FILE      record the current findings in FILE (exactly those: fixed ones drop out)
      --held-rules FILE          YAML/JSON with Role/ClusterRole documents or a SelfSubjectRulesReview:
                                 the rules of whoever applies the files (offline not-held check)
      --live                     ask the cluster what the kubeconfig user holds (SelfSubjectRulesReview)
      --kubeconfig FILE          kubeconfig for --live (default: $KUBECONFIG, then ~/.kube/config)
      --context NAME             kubeconfig context (default: the current one)
      --namespace NS             namespace for Roles without metadata.namespace (default: the context's, else default)
      --manifests PATH           manifests the pipeline deploys (files, globs, charts, overlays): flags
                                 permissions none of them needs and those the deploy needs but lacks
      --deployer D               how they are deployed: kubectl (default), server-side-apply, helm
      --release NAME             helm release name (default: the chart's name)
      --values FILE, --set K=V   passed to \`helm template\` (repeatable)
      --disable RULE[,RULE]      turn rules off
      --output FILE              write the report to FILE instead of stdout
      --jobs N                   analyse on N threads (default: one per core, for large inputs)
      --stdin-filename NAME      the name standard input has in the report (default: <stdin>)
      reach findings: Roles whose holder can become a stronger identity, over the files' RBAC (with --live:
      the cluster's); docs/reach.md
  pipeline-rbac identity create|rotate|revoke|manifests|oidc [options]   manage pipeline identities
  pipeline-rbac identity verify --namespace NS --name NAME --manifests PATH... [--deployer D]
      as the identity: dry-run apply every object, SelfSubjectAccessReview the deploy tool's own requests
  pipeline-rbac identities [--namespace NS | --all-namespaces] [--format text|json]
  pipeline-rbac reach --namespace NS --name SA [--prove] [--format text|json|sarif] [--context NAME]
      what the ServiceAccount can become (shortest paths, what each identity gains) and who can become it,
      from one read of the cluster; --prove asks the apiserver as the identity (docs/reach.md)
  pipeline-rbac --help | --version

Exit codes: 0 no error findings (with a baseline: no new ones), 1 error findings, 2 usage or I/O error (also:
an operand matched no file, standard input was empty, an input is over 32 MiB, the config file has a problem,
or the baseline is missing, unreadable or of another version). Text output shows control characters in file names and
YAML values as escapes (\\e, \\r, \\n, \\x..., \\u...).
`;

/** `check --help`: the check section of the usage, then the exit codes. */
export function checkUsage(): string {
  const start = USAGE.indexOf('  pipeline-rbac check ');
  const end = USAGE.indexOf('  pipeline-rbac identity ');
  const exit = USAGE.indexOf('Exit codes:');
  return `Usage:\n${USAGE.slice(start, end)}\n${USAGE.slice(exit)}`;
}
