/**
 * `pipeline-rbac identities`: the model the tree view renders (identities, bindings, roles, rules, risks, token state),
 * as text or JSON. Reads metadata only for ServiceAccounts and Secrets; the output never holds token data.
 */
import { parseArgs } from 'node:util';
import type { SeverityOverrides } from '../core/engine/severity';
import { isRuleId } from '../core/engine/suppress';
import { loadKubeconfig } from '../core/live/kubeconfig';
import { toJsonModel } from '../core/inventory/json';
import { identitiesFor, myAccessFor } from '../core/inventory/load';
import { renderMatrix, type AccessMatrix } from '../core/inventory/myAccess';
import { renderIdentitiesText } from '../core/inventory/render';
import { escapeLines, escapeStrings } from '../core/shared/controlChars';
import { UsageError } from './errors';
import { errorText } from '../core/engine/text/errorText';

const FORMATS = ['text', 'json'] as const;

export const IDENTITIES_USAGE = `Usage: pipeline-rbac identities [--namespace NS]... | --all-namespaces [options]
  -n, --namespace NS          namespace to show (repeatable; default: the context's namespace)
  -A, --all-namespaces        every namespace you may see (cluster-wide lists, else per namespace)
      --all-service-accounts  also ServiceAccounts without the pipeline-rbac.io/identity label that have a binding or token
      --my-access             add what you may do in each namespace (SelfSubjectRulesReview as a resource x verb matrix)
  -f, --format text|json      output format (default: text)
      --kubeconfig FILE       kubeconfig (default: $KUBECONFIG, then ~/.kube/config)
      --context NAME          kubeconfig context (default: the current one)
      --disable RULE[,RULE]   hide these risk rules
`;

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        namespace: { type: 'string', short: 'n', multiple: true },
        'all-namespaces': { type: 'boolean', short: 'A' },
        'all-service-accounts': { type: 'boolean' },
        'my-access': { type: 'boolean' },
        format: { type: 'string', short: 'f' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        disable: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(errorText(err));
  }
}

export async function runIdentities(argv: string[], env: NodeJS.ProcessEnv = process.env, write: (s: string) => void = (s) => void process.stdout.write(s)): Promise<number> {
  const { values } = parse(argv);
  if (values.help) {
    write(IDENTITIES_USAGE);
    return 0;
  }
  const format = values.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${format}"`);
  const namespaces = values.namespace ?? [];
  if (values['all-namespaces'] && namespaces.length) throw new UsageError('--namespace and --all-namespaces cannot be combined');
  for (const ns of namespaces) {
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns)) throw new UsageError(`--namespace "${ns}" is not a valid namespace name`);
  }
  const severities: SeverityOverrides = {};
  for (const id of (values.disable ?? []).flatMap((d) => d.split(',')).map((d) => d.trim()).filter(Boolean)) {
    if (!isRuleId(id)) throw new UsageError(`--disable: unknown rule "${id}"`);
    severities[id] = 'off';
  }

  // The CLI runs what the user runs (like kubectl): exec plugins in the kubeconfig are allowed.
  const loaded = loadKubeconfig({ kubeconfig: values.kubeconfig, context: values.context, trusted: true }, env);
  const model = await identitiesFor(loaded, {
    namespaces: values['all-namespaces'] ? 'all' : namespaces.length ? namespaces : undefined,
    allServiceAccounts: values['all-service-accounts'] === true,
    severities,
  });
  let access: AccessMatrix[] | undefined;
  if (values['my-access']) access = await Promise.all(model.namespaces.filter((n) => n.readable || n.identities.length).map((n) => myAccessFor(loaded, n.name)));

  if (format === 'json') {
    const json = toJsonModel(model);
    write(`${JSON.stringify(access ? { ...json, access } : json, null, 2)}\n`);
  } else {
    // Annotations and rule strings are cluster text: escaped value by value, so none can start a line of its own.
    let text = renderIdentitiesText(model);
    for (const m of access ?? []) text += `\nmy access in namespace ${m.namespace}\n${renderMatrix(escapeStrings(m))}`;
    write(escapeLines(text));
  }
  return 0;
}
