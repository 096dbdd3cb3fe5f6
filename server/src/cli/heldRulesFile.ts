import { parseAllDocuments } from 'yaml';
import { HeldPermissionsError, heldPermissionsFromDocuments, type HeldPermissions } from '../core/engine/rbac/heldPermissions';
import { UsageError } from './errors';

/** `--held-rules FILE`: YAML or JSON with Role/ClusterRole documents or SelfSubjectRulesReview objects. */
export function loadHeldRules(text: string, path: string, defaultNamespace = 'default'): HeldPermissions {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const values: unknown[] = [];
  for (const doc of list) {
    const err = doc.errors[0];
    if (err) {
      const [line, col] = err.linePos?.[0] ? [err.linePos[0].line, err.linePos[0].col] : [0, 0];
      throw new UsageError(`--held-rules ${path}:${line}:${col}: ${err.message.split('\n')[0]}`);
    }
    values.push(doc.toJS({ maxAliasCount: 100 }));
  }
  try {
    return heldPermissionsFromDocuments(values, { source: `file: ${path}`, defaultNamespace });
  } catch (e) {
    if (e instanceof HeldPermissionsError) throw new UsageError(`--held-rules ${path}: ${e.message}`);
    throw e;
  }
}
