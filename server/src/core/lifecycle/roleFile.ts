// Role sources as text and objects: the one Role of a Role file, or a generated document for rules
// or a binding to an existing Role. Parsing only (no analysis, no I/O), shared by the check and manifests.
import { stringify } from 'yaml';
import type { RbacObject } from '../engine/model';
import { parseRbacText } from '../engine/yaml/parseCache';
import { checkRbacName, InvalidInputError } from './names';
import { roleBindingObject, roleObject, type RoleSpec } from './objects';
import type { RoleSource } from './types';

/** The text the engine analyses for a role source, and the Role it describes (no I/O, no analysis). */
export function roleCheckText(source: RoleSource, namespace: string, serviceAccount: string): { text: string; role?: RoleSpec; roleName: string } {
  switch (source.kind) {
    case 'file': {
      const spec = roleFromFile(source.text, namespace, source.path);
      return { text: source.text, role: spec, roleName: spec.name };
    }
    case 'rules': {
      checkRbacName(source.name);
      const spec: RoleSpec = { name: source.name, rules: source.rules };
      return { text: stringify(roleObject(namespace, serviceAccount, spec)), role: spec, roleName: spec.name };
    }
    case 'existing':
      checkRbacName(source.name);
      // Binding an existing Role needs its permissions (or `bind`): check the RoleBinding.
      return { text: stringify(roleBindingObject(namespace, serviceAccount, source.name)), roleName: source.name };
  }
}

/**
 * The one Role of a Role file. Throws InvalidInputError when the file holds no Role, several
 * documents, a ClusterRole, or a Role for another namespace.
 */
export function roleFromFile(text: string, namespace: string, path = 'the Role file'): RoleSpec {
  const parsed = parseRbacText(text);
  const syntax = parsed.findings.find((f) => f.severity === 'error');
  if (syntax) throw new InvalidInputError(`${path}: ${syntax.message}`);
  const roles = parsed.objects.filter((o) => o.kind === 'Role');
  const others = parsed.objects.filter((o) => o.kind !== 'Role');
  if (roles.length !== 1 || others.length > 0) {
    const found = parsed.objects.map((o) => `${o.kind} ${o.name || '(no name)'}`).join(', ') || 'no RBAC objects';
    throw new InvalidInputError(`${path} must hold exactly one Role (found ${found}); bindings and ServiceAccounts are created by the flow.`);
  }
  const role = roles[0] as RbacObject;
  if (!role.name) throw new InvalidInputError(`${path}: the Role has no metadata.name.`);
  checkRbacName(role.name);
  if (role.namespace !== undefined && role.namespace !== namespace) {
    throw new InvalidInputError(`${path}: the Role is for namespace "${role.namespace}", not "${namespace}".`);
  }
  return {
    name: role.name,
    rules: role.rules.map((r) => r.rule),
    labels: role.labels,
    annotations: role.annotations,
  };
}
