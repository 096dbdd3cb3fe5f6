/** Both directions of least privilege against the manifests: grants nothing needs, and needs nothing grants. */
import type { Finding, RbacObject } from '../model';
import { missingPermissionFindings } from './missing';
import type { NeededPermissions } from './needed';
import { unusedPermissionFindings } from './unused';

export function manifestFindings(obj: RbacObject, needed: NeededPermissions): Finding[] {
  return [...unusedPermissionFindings(obj, needed), ...(needed.required ? missingPermissionFindings(obj, needed.required) : [])];
}

/** AnalyzeOptions.extraFindings for every object of a file: one closure for the language server and the CLI. */
export function manifestFindingsFor(needed: NeededPermissions): (objects: RbacObject[]) => Finding[] {
  return (objects) => objects.flatMap((o) => manifestFindings(o, needed));
}
