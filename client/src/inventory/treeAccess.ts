/** The "My Access" rows of the Identities view: what the signed-in user may do in a namespace, one row per resource. */
import { MATRIX_VERBS, type AccessMatrix } from '../../../server/src/core/inventory';
import { escapeMarkdown } from '../../../server/src/core/engine';
import { tooltip } from './treeMarkdown';
import type { ViewNode } from './treeNodes';

const MARK = { yes: '\u2714', some: '~', no: '\u2716', unknown: '?' } as const;

export function accessNodes(m: AccessMatrix, parent: ViewNode): ViewNode[] {
  const out: ViewNode[] = [];
  if (m.incomplete) {
    out.push({
      kind: 'message',
      id: `${parent.id}/incomplete`,
      label: 'Incomplete: the cluster could not list every rule',
      description: m.evaluationError ?? 'a webhook authorizer decides some requests',
      tooltip: tooltip('Incomplete rules review', ['"?" means the cluster did not say: it may be allowed.']),
      icon: 'warning',
      color: 'warning',
      contextValue: 'message incomplete',
      collapsible: 'none',
      context: parent.context,
    });
  }
  for (const row of m.rows) {
    const name = row.group ? `${row.resource}.${row.group}` : row.resource;
    const allowed = MATRIX_VERBS.filter((v) => row.cells[v] === 'yes');
    const some = MATRIX_VERBS.filter((v) => row.cells[v] === 'some');
    const desc = [allowed.length === MATRIX_VERBS.length ? 'all verbs' : allowed.join(' '), some.length ? `(${some.join(' ')} on some names)` : '', row.otherVerbs.length ? `+ ${row.otherVerbs.join(' ')}` : '']
      .filter(Boolean)
      .join(' ');
    const table = ['| verb | |', '|---|---|', ...MATRIX_VERBS.map((v) => `| ${v} | ${MARK[row.cells[v]]} |`), ...(row.otherVerbs.length ? [`| other | ${escapeMarkdown(row.otherVerbs.join(', '))} |`] : [])];
    out.push({
      kind: 'accessRow',
      id: `${parent.id}/row/${row.group}/${row.resource}`,
      label: name,
      description: desc || 'nothing',
      tooltip: [`**${escapeMarkdown(name)}** in ${escapeMarkdown(m.namespace)}`, '', ...table, ...(row.resourceNames ? ['', `names: ${row.resourceNames.map(escapeMarkdown).join(', ')}`] : [])].join('\n'),
      icon: allowed.length ? 'pass' : 'circle-slash',
      ...(allowed.includes('get') || allowed.includes('list') || allowed.includes('create') ? {} : { color: 'muted' as const }),
      contextValue: 'accessRow',
      collapsible: 'none',
      context: parent.context,
      namespace: m.namespace,
      accessRow: row,
    });
  }
  // Non-resource URLs (/healthz, /version, ...) are the same for everyone and rarely the question: one line.
  if (m.nonResource.length) {
    out.push({
      kind: 'accessRow',
      id: `${parent.id}/urls`,
      label: 'Non-resource URLs',
      description: `${m.nonResource.length} URL${m.nonResource.length === 1 ? '' : 's'}`,
      tooltip: ['**Non-resource URLs**', '', '| URL | verbs |', '|---|---|', ...m.nonResource.map((n) => `| ${escapeMarkdown(n.url)} | ${escapeMarkdown(n.verbs.join(', '))} |`)].join('\n'),
      icon: 'globe',
      color: 'muted',
      contextValue: 'accessRow nonResource',
      collapsible: 'none',
      context: parent.context,
      namespace: m.namespace,
    });
  }
  return out;
}
