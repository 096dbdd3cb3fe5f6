/** Both directions of least privilege against the manifests: grants nothing needs, and needs nothing grants. */
import type { Finding, RbacObject } from '../model';
import { missingPermissionFindings } from './missing';
import type { NeededPermissions } from './needed';
import { unusedPermissionFindings } from './unused';

export function manifestFindings(obj: RbacObject, needed: NeededPermissions): Finding[] {
  return [...unusedPermissionFindings(obj, needed), ...(needed.required ? missingPermissionFindings(obj, needed.required) : [])];
}
