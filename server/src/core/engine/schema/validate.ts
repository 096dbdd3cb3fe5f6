/**
 * Structural validation of one RBAC object: the JSON schemas (compiled once) plus the semantic checks the apiserver
 * makes that a schema cannot express. Findings use ruleId `schema`, name the field ("rules[0].verbs") and sit on the
 * most specific source node.
 */
import { dedupeFindings } from '../dedupe';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Finding, RbacKind, RbacObject, Severity, Span } from '../model';
import { suggest } from '../text/suggest';
import type { JsonSchema } from './definitions';
import * as generated from './generated/validators';
import { semanticFindings } from './semantic';
import { firstKeySpan } from './spans';

// The JSON files Red Hat YAML shows are the ones validated here, compiled ahead of time by scripts/gen-validators.mjs
// (Ajv standalone code; a unit test keeps it in step with schemas/), so no process compiles them at start-up.
const VALIDATORS = generated as unknown as Record<RbacKind, ValidateFunction>;

export function validateObject(obj: RbacObject): Finding[] {
  const findings: Finding[] = [];
  const validate = VALIDATORS[obj.kind];
  if (!validate(obj.value)) {
    for (const err of validate.errors ?? []) {
      const f = fromAjv(obj, err);
      if (f) findings.push(f);
    }
  }
  findings.push(...semanticFindings(obj));
  return dedupeFindings(findings);
}

/** "/rules/0/verbs" -> "rules[0].verbs"; odd keys are quoted: metadata.labels["app.kubernetes.io/name"]. */
export function displayPath(pointer: string): string {
  if (pointer === '') return '(object)';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(token)) out += `[${token}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(token)) out += out ? `.${token}` : token;
    else out += `[${JSON.stringify(token)}]`;
  }
  return out;
}

function child(pointer: string, key: string): string {
  return `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function fromAjv(obj: RbacObject, err: ErrorObject): Finding | undefined {
  const ptr = err.instancePath;
  const path = displayPath(ptr);
  const nodeSpan = obj.pointerSpans.get(ptr) ?? obj.kindSpan;
  const parent = (err.parentSchema ?? {}) as JsonSchema;
  const make = (message: string, span: Span, extra?: Partial<Finding['data']>, severity: Severity = 'error'): Finding => {
    const f: Finding = { ruleId: 'schema', severity, message, span, documentIndex: obj.documentIndex };
    if (extra && Object.keys(extra).length) f.data = extra;
    return f;
  };
  switch (err.keyword) {
    case 'type': {
      if (err.params.propertyName !== undefined) return undefined;
      const expected = describeSchemaType(parent);
      let message = `${path}: must be ${expected}, not ${describeValue(err.data)}`;
      if (expected.startsWith('a list') && (typeof err.data === 'string' || typeof err.data === 'number')) {
        message += ` (write it as a list: [${String(err.data)}])`;
      }
      return make(message, nodeSpan);
    }
    case 'required': {
      const missing = String(err.params.missingProperty);
      // ObjectMeta validation accepts generateName instead of name (kubectl create only).
      if (ptr === '/metadata' && missing === 'name' && isRecord(err.data) && typeof err.data.generateName === 'string') return undefined;
      const full = ptr === '' ? missing : `${path}.${missing}`;
      return make(`${full}: required field is missing`, missingSpan(obj, ptr));
    }
    case 'additionalProperties': {
      const prop = String(err.params.additionalProperty);
      const props = Object.keys((parent.properties as JsonSchema | undefined) ?? {});
      const near = suggest(prop, props);
      const p = child(ptr, prop);
      const full = ptr === '' ? displayPath(p) : displayPath(p);
      const hint = near.length ? ` Did you mean "${near[0]}"?` : props.length && props.length <= 6 ? ` Known fields: ${props.join(', ')}.` : '';
      return make(`${full}: unknown field (rejected by the apiserver's strict field validation).${hint}`, obj.keySpans?.get(p) ?? obj.pointerSpans.get(p) ?? nodeSpan, near.length ? { replacement: near } : undefined);
    }
    case 'enum': {
      const allowed = (err.schema as unknown[]).map((x) => JSON.stringify(x));
      const options = (err.schema as unknown[]).filter((x): x is string => typeof x === 'string' && x !== '');
      let near = typeof err.data === 'string' ? suggest(err.data, options) : [];
      if (!near.length && options.length === 1) near = options;
      let hint = near.length ? ` Did you mean "${near[0]}"?` : '';
      if (ptr === '/roleRef/kind' && obj.kind === 'ClusterRoleBinding' && err.data === 'Role') {
        hint = ' A ClusterRoleBinding can only grant a ClusterRole; to grant a Role, use a RoleBinding in its namespace.';
      }
      const what = allowed.length === 1 ? allowed[0] : `one of ${allowed.join(', ')}`;
      return make(`${path}: must be ${what}, not ${describeValue(err.data)}.${hint}`, nodeSpan, { replacement: near, value: String(err.data) });
    }
    case 'const': {
      const want = String(err.schema);
      let message = `${path}: must be "${want}", not ${describeValue(err.data)}`;
      if (ptr === '/apiVersion' && typeof err.data === 'string' && /^rbac\.authorization\.k8s\.io\/v1(alpha|beta)1$/.test(err.data)) {
        message += ` (${err.data} was removed in Kubernetes 1.22)`;
      }
      return make(message, nodeSpan, { replacement: [want] });
    }
    case 'minItems':
      return make(`${path}: must contain at least ${err.params.limit === 1 ? 'one value' : `${err.params.limit} values`}`, nodeSpan);
    case 'minLength':
      return make(`${path}: must not be empty`, nodeSpan);
    case 'maxLength':
      return make(`${path}: must be at most ${err.params.limit} characters (has ${String(err.data).length})`, nodeSpan);
    case 'pattern': {
      if (err.params.propertyName !== undefined || err.propertyName !== undefined) return undefined; // reported by propertyNames
      const why = typeof parent.patternErrorMessage === 'string' ? parent.patternErrorMessage : 'has an invalid format.';
      return make(`${path}: ${JSON.stringify(err.data)} is not valid. ${why}`, nodeSpan);
    }
    case 'propertyNames': {
      const name = String(err.params.propertyName);
      const p = child(ptr, name);
      const inner = (parent.propertyNames as JsonSchema | undefined)?.patternErrorMessage;
      return make(`${path}: key ${JSON.stringify(name)} is not valid. ${typeof inner === 'string' ? inner : ''}`.trim(), obj.keySpans?.get(p) ?? nodeSpan);
    }
    default:
      return make(`${path}: ${err.message ?? 'is invalid'}`, nodeSpan);
  }
}

/** For a missing field: the parent's key (`roleRef:`), the first key of a list item, or the kind for the object. */
function missingSpan(obj: RbacObject, ptr: string): Span {
  if (ptr === '') return obj.kindSpan;
  const key = obj.keySpans?.get(ptr);
  if (key && !/\/\d+$/.test(ptr)) return key;
  return firstKeySpan(obj, ptr) ?? obj.pointerSpans.get(ptr) ?? obj.kindSpan;
}

function describeSchemaType(schema: JsonSchema): string {
  const types = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter((t) => t !== 'null');
  const one = (t: unknown): string => {
    if (t === 'array') return (schema.items as JsonSchema | undefined)?.type === 'string' ? 'a list of strings' : 'a list';
    if (t === 'object') return (schema.additionalProperties as JsonSchema | undefined)?.type === 'string' ? 'a map of strings' : 'a mapping (key: value)';
    if (t === 'integer') return 'an integer';
    if (t === 'boolean') return 'true or false';
    return `a ${String(t)}`;
  };
  return types.map(one).join(' or ');
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'empty (null)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`;
  return `${typeof v === 'number' ? 'the number ' : ''}${String(v)}`;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

