// Helpers of the identity e2e tests: temporary workspaces, and what the apiserver has of an identity (asked as admin).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AuthenticationV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { deleteIfExists, kubeConfigFor, TEAM_A } from '../../cluster/harness';

/** Deletes what a failed run left of an identity (as admin). */
export async function cleanUp(name: string, roleName: string): Promise<void> {
  // Whatever a failed run left behind in the shared cluster (as admin); a passing run leaves nothing.
  const kc = kubeConfigFor('admin');
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const secrets = await core.listNamespacedSecret({ namespace: TEAM_A, labelSelector: `pipeline-rbac.io/service-account=${name}` });
  for (const s of secrets.items) await deleteIfExists(() => core.deleteNamespacedSecret({ namespace: TEAM_A, name: s.metadata?.name ?? '' }));
  await deleteIfExists(() => rbac.deleteNamespacedRoleBinding({ namespace: TEAM_A, name }));
  await deleteIfExists(() => rbac.deleteNamespacedRole({ namespace: TEAM_A, name: roleName }));
  await deleteIfExists(() => core.deleteNamespacedServiceAccount({ namespace: TEAM_A, name }));
}

/** A temporary workspace folder with these files; its path is added to `roots` for the caller's cleanup. */
export function makeWorkspace(files: Record<string, string>, roots: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'pipeline-rbac-e2e-'));
  roots.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

/** What the apiserver has of the identity, asked as admin: kind -> exists. */
export async function adminView(name: string, roleName: string): Promise<Record<string, boolean>> {
  const kc = kubeConfigFor('admin');
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const exists = (p: Promise<unknown>) =>
    p.then(
      () => true,
      (e: { code?: number }) => {
        if (e.code === 404) return false;
        throw e;
      },
    );
  const secrets = await core.listNamespacedSecret({ namespace: TEAM_A, labelSelector: `pipeline-rbac.io/service-account=${name}` });
  return {
    ServiceAccount: await exists(core.readNamespacedServiceAccount({ namespace: TEAM_A, name })),
    Role: await exists(rbac.readNamespacedRole({ namespace: TEAM_A, name: roleName })),
    RoleBinding: await exists(rbac.readNamespacedRoleBinding({ namespace: TEAM_A, name })),
    Secret: secrets.items.length > 0,
  };
}

export const NOTHING = { ServiceAccount: false, Role: false, RoleBinding: false, Secret: false };

/** Who a bearer token authenticates as (SelfSubjectReview), or the HTTP status when it does not. */
export async function whoIs(kubeconfigText: string): Promise<string | number> {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigText);
  try {
    const r = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    return r.status?.userInfo?.username ?? '?';
  } catch (e) {
    return (e as { code?: number }).code ?? -1;
  }
}
