/**
 * Kinds of the rbac.authorization.k8s.io API group. A document in that group with another kind (a typo such as
 * `ClusterRolebinding`) is rejected by the apiserver ("no matches for kind"), and nothing in it is analysed: an error
 * with "did you mean" says so, instead of silence.
 */
import { suggest } from '../text/suggest';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const OBJECT_KINDS = ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'];
const KINDS = [...OBJECT_KINDS, ...OBJECT_KINDS.map((k) => `${k}List`)];

export function unknownRbacKind(kind: string, apiVersion: string | undefined): { message: string; replacement: string[] } | undefined {
  if (apiVersion === undefined || (apiVersion !== RBAC_GROUP && !apiVersion.startsWith(`${RBAC_GROUP}/`))) return undefined;
  if (KINDS.includes(kind)) return undefined;
  const near = suggest(kind, KINDS, 1);
  const hint = near.length ? ` Did you mean "${near[0]}"?` : ` Its kinds: ${OBJECT_KINDS.join(', ')}.`;
  const shown = kind.length > 60 ? `${kind.slice(0, 57)}...` : kind;
  return {
    message: `kind "${shown}" is not a kind of ${RBAC_GROUP} (kinds are case-sensitive): the apiserver rejects the document and nothing in it is checked.${hint}`,
    replacement: near,
  };
}
