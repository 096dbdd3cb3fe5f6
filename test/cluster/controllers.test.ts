// The controller-manager pieces other suites rely on for setup and cleanup.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CoreV1Api, RbacAuthorizationV1Api, VersionApi } from '@kubernetes/client-node';
import { apiStatus, kubeConfigFor, uniqueName, waitFor } from './harness';

const gone = (read: () => Promise<unknown>) => async () => {
  try {
    await read();
    return false;
  } catch (err) {
    if (apiStatus(err)?.code === 404) return true;
    throw err;
  }
};

describe('test cluster controllers', () => {
  const core = () => kubeConfigFor('admin').makeApiClient(CoreV1Api);

  test('runs the pinned Kubernetes release', async () => {
    const version = await kubeConfigFor('viewer').makeApiClient(VersionApi).getCode();
    assert.match(version.gitVersion, /^v1\.3[56]\.\d+$/);
  });

  test('aggregated ClusterRoles have rules and new namespaces get a default ServiceAccount and root CA', async () => {
    const rbac = kubeConfigFor('admin').makeApiClient(RbacAuthorizationV1Api);
    for (const name of ['view', 'edit', 'admin']) {
      const role = await rbac.readClusterRole({ name });
      assert.ok((role.rules?.length ?? 0) > 0, `${name} was aggregated`);
    }
    const ns = uniqueName('ns');
    await core().createNamespace({ body: { metadata: { name: ns } } });
    try {
      await waitFor('default ServiceAccount', async () => (await core().listNamespacedServiceAccount({ namespace: ns })).items.some((sa) => sa.metadata?.name === 'default'));
      const cm = await waitFor('kube-root-ca.crt', async () => {
        const list = await core().listNamespacedConfigMap({ namespace: ns });
        return list.items.find((c) => c.metadata?.name === 'kube-root-ca.crt');
      });
      assert.match(cm.data?.['ca.crt'] ?? '', /BEGIN CERTIFICATE/);
    } finally {
      await core().deleteNamespace({ name: ns });
    }
    // The namespace controller empties and removes it.
    await waitFor(`namespace ${ns} to be deleted`, gone(() => core().readNamespace({ name: ns })), { timeoutMs: 60_000 });
  });

  test('the garbage collector deletes dependents of a deleted owner', async () => {
    const namespace = 'team-b';
    const owner = await core().createNamespacedConfigMap({ namespace, body: { metadata: { name: uniqueName('owner') } } });
    const ownerName = owner.metadata?.name ?? '';
    const uid = owner.metadata?.uid ?? '';
    assert.ok(uid);
    const dependent = uniqueName('dependent');
    await core().createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: dependent, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: ownerName, uid }] } },
    });
    await core().deleteNamespacedConfigMap({ name: ownerName, namespace });
    await waitFor('the dependent ConfigMap to be collected', gone(() => core().readNamespacedConfigMap({ name: dependent, namespace })), {
      timeoutMs: 60_000,
    });
  });
});
