/**
 * Red Hat YAML contribution for the RBAC kinds, as pure functions: which files get our schema (every document with
 * a `kind` is an RBAC kind or a ServiceAccount), and the one schema that dispatches on `kind` to the per-kind
 * schemas of the engine (schemas/*.schema.json come from the same definitions). `yamlValidation` in package.json
 * can only match file names, so selection by kind goes through the YAML extension's registerContributor API.
 */
import { type JsonSchema, SCHEMAS } from '../../../server/src/core/engine';

/** Name the contributor registers under; the schema URI's scheme must equal it (the YAML extension routes by it). */
export const CONTRIBUTOR = 'pipeline-rbac';
export const SCHEMA_URI = `${CONTRIBUTOR}://schemas/rbac.schema.json`;

export type RbacKind = keyof typeof SCHEMAS;
export const RBAC_KINDS = Object.keys(SCHEMAS) as RbacKind[];

const KIND_LINE = /^kind:[ \t]*(["']?)([A-Za-z0-9]+)\1[ \t]*(?:#.*)?$/m;

/** The top-level `kind` of each YAML document in `text` (undefined for a document without one). */
export function documentKinds(text: string): (string | undefined)[] {
  return text.split(/^---[ \t]*(?:#.*)?$/m).map((doc) => KIND_LINE.exec(doc)?.[2]);
}

/**
 * True when the file holds RBAC objects only. A file that mixes in other kinds (a Deployment, a Helm template)
 * keeps whatever schema the user configured (e.g. the YAML extension's Kubernetes schema): a contributor's schema
 * replaces the file's other schema associations, so it is only claimed where it covers everything.
 */
export function isRbacFile(text: string): boolean {
  const kinds = documentKinds(text).filter((k): k is string => k !== undefined);
  return kinds.length > 0 && kinds.every((k) => (RBAC_KINDS as string[]).includes(k));
}

function strip(schema: JsonSchema): JsonSchema {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

/** One draft-07 schema: for each kind, `if kind == K then <schema of K>`; other kinds are not constrained. */
export function combinedSchema(): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: SCHEMA_URI,
    title: 'Kubernetes RBAC (Pipeline RBAC)',
    description: 'Role, ClusterRole, RoleBinding, ClusterRoleBinding and ServiceAccount, as the API server accepts them.',
    // No top-level type: an empty document (a trailing `---`) is not an error.
    properties: { kind: { type: 'string', enum: RBAC_KINDS, description: 'The kind of RBAC object.' } },
    allOf: RBAC_KINDS.map((kind) => ({
      if: { properties: { kind: { const: kind } }, required: ['kind'] },
      then: strip(SCHEMAS[kind]),
    })),
  };
}

export interface SchemaContributor {
  requestSchema(resource: string): string | undefined;
  requestSchemaContent(uri: string): string | undefined;
}

/** The two callbacks registerContributor takes; `textOf` returns an open document's text by URI string. */
export function makeContributor(textOf: (resource: string) => string | undefined): SchemaContributor {
  let content: string | undefined;
  return {
    requestSchema(resource) {
      const text = textOf(resource);
      return text !== undefined && isRbacFile(text) ? SCHEMA_URI : undefined;
    },
    requestSchemaContent(uri) {
      if (uri !== SCHEMA_URI) return undefined;
      content ??= JSON.stringify(combinedSchema());
      return content;
    },
  };
}
