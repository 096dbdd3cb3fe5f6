/**
 * Pure helpers of the lifecycle commands (Rotate, Revoke, Export Again, Save as Manifests): which identity a tree
 * node or picker entry names, what a revoke will delete (for the modal confirmation, from the proven plan), the Role a manifest export
 * writes, and the pipeline annotation read back. No `vscode`, no I/O.
 */
import type { IdentitiesModel, IdentityNode } from '../../../server/src/core/inventory';
import { ANNOTATIONS, describeRef, type PipelineInfo, type RbacRevokePlan, type RoleSource } from '../../../server/src/core/lifecycle';

/** An identity the lifecycle commands act on. */
export interface IdentityRef {
  context: string;
  namespace: string;
  name: string;
  identity: IdentityNode;
}

/** The ServiceAccount identity a tree node carries; undefined for users, groups and unlabelled accounts. */
export function refFromNode(node: { context: string; identity?: IdentityNode } | undefined): IdentityRef | undefined {
  const i = node?.identity;
  if (!node || !i || i.kind !== 'ServiceAccount' || !i.namespace || i.labelled !== true) return undefined;
  return { context: node.context, namespace: i.namespace, name: i.name, identity: i };
}

/** Every pipeline identity (labelled ServiceAccount) of a model, for the palette's "which identity?" picker. */
export function pipelineIdentities(model: IdentitiesModel, context: string): IdentityRef[] {
  const out: IdentityRef[] = [];
  for (const ns of model.namespaces) {
    for (const i of ns.identities) {
      const ref = refFromNode({ context, identity: i });
      if (ref) out.push(ref);
    }
  }
  return out.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/**
 * The objects a revoke deletes, in the order revokeIdentity deletes them: the RoleBindings and Roles proven to be
 * this identity's (planRbacRevoke reads the objects; the ServiceAccount's annotations name nothing here), and what
 * is labelled as its but left alone.
 */
export function revokeListing(namespace: string, name: string, plan: RbacRevokePlan): { deleted: string[]; kept: string[] } {
  return {
    deleted: [
      // The token-secret annotation is only a claim: revoke deletes the Secrets that prove to be this identity's token.
      `the identity's token Secrets (each checked to be its token first; revokes the token)`,
      ...plan.targets.map(describeRef),
      `ServiceAccount ${namespace}/${name}`,
    ],
    kept: [...plan.kept],
  };
}

/** "acme/app (environment production)" back to {repo, environment} (the inverse of pipelineAnnotation). */
export function parsePipelineAnnotation(value: string | undefined): PipelineInfo | undefined {
  if (!value) return undefined;
  const m = /^(.*?) \(environment (.+)\)$/.exec(value);
  if (!m) return { repo: value };
  const repo = m[1] === '(unknown repository)' ? undefined : m[1];
  return { ...(repo ? { repo } : {}), environment: m[2] as string };
}

/**
 * The Role a "Save as Manifests" writes: the identity's own Role with the rules the tree read, when this tool
 * created it (role-owned annotation, else an `ours` RoleBinding to a readable Role); otherwise a binding to the
 * existing Role by name. Undefined when the identity is bound to no Role at all.
 */
export function manifestRoleSource(i: IdentityNode, annotations: Readonly<Record<string, string>>): RoleSource | undefined {
  const roleName = annotations[ANNOTATIONS.role];
  const binding =
    i.bindings.find((b) => b.kind === 'RoleBinding' && b.via === 'direct' && b.role.kind === 'Role' && (roleName ? b.role.name === roleName : b.ours)) ??
    i.bindings.find((b) => b.kind === 'RoleBinding' && b.via === 'direct' && b.role.kind === 'Role');
  const name = roleName ?? binding?.role.name;
  if (!name) return undefined;
  const owned = annotations[ANNOTATIONS.roleOwned] !== undefined ? annotations[ANNOTATIONS.roleOwned] === 'true' : binding?.ours === true;
  if (owned && binding && binding.role.name === name && binding.role.state === 'ok') {
    return { kind: 'rules', name, rules: binding.role.rules.map((r) => r.rule) };
  }
  return { kind: 'existing', name };
}
