// Service-account credentials on the real cluster: TokenRequest and controller-populated token Secrets.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { AuthenticationV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { SA_ISSUER, TEAM_A, apiStatus, deleteIfExists, kubeConfigFor, kubeConfigWithToken, uniqueName, waitFor } from './harness';

async function whoAmI(kc: KubeConfig): Promise<{ username?: string; groups?: string[] }> {
  const review = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
  return review.status?.userInfo ?? {};
}

function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  assert.ok(payload, 'token is a JWT');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('ServiceAccount tokens', () => {
  const developer = () => kubeConfigFor('developer').makeApiClient(CoreV1Api);
  const admin = () => kubeConfigFor('admin').makeApiClient(CoreV1Api);
  const cleanup: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const fn of cleanup.reverse()) await fn();
  });

  async function newServiceAccount(): Promise<string> {
    const name = uniqueName('pipeline');
    await developer().createNamespacedServiceAccount({ namespace: TEAM_A, body: { metadata: { name } } });
    cleanup.push(() => deleteIfExists(() => admin().deleteNamespacedServiceAccount({ name, namespace: TEAM_A })));
    return name;
  }

  test('a TokenRequest token authenticates as the ServiceAccount', async () => {
    const name = await newServiceAccount();
    const tr = await developer().createNamespacedServiceAccountToken({
      name,
      namespace: TEAM_A,
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const token = tr.status?.token;
    assert.ok(token, 'TokenRequest returned a token');
    assert.ok(tr.status && new Date(tr.status.expirationTimestamp).getTime() > Date.now() + 5 * 60_000);

    const claims = jwtClaims(token);
    assert.equal(claims.iss, SA_ISSUER);
    assert.deepEqual(claims.aud, [SA_ISSUER], 'empty audiences default to --api-audiences');
    assert.equal(claims.sub, `system:serviceaccount:${TEAM_A}:${name}`);

    const me = await whoAmI(kubeConfigWithToken(token));
    assert.equal(me.username, `system:serviceaccount:${TEAM_A}:${name}`);
    assert.ok(me.groups?.includes(`system:serviceaccounts:${TEAM_A}`));

    // A bound token dies with its ServiceAccount.
    await admin().deleteNamespacedServiceAccount({ name, namespace: TEAM_A });
    await waitFor('the deleted ServiceAccount token to be rejected', async () => {
      try {
        await whoAmI(kubeConfigWithToken(token));
        return false;
      } catch (err) {
        return apiStatus(err)?.code === 401;
      }
    });
  });

  test('a service-account-token Secret is populated by the controller and authenticates', async () => {
    const sa = await newServiceAccount();
    const secret = uniqueName(`${sa}-token`);
    await developer().createNamespacedSecret({
      namespace: TEAM_A,
      body: {
        metadata: { name: secret, annotations: { 'kubernetes.io/service-account.name': sa } },
        type: 'kubernetes.io/service-account-token',
      },
    });
    cleanup.push(() => deleteIfExists(() => admin().deleteNamespacedSecret({ name: secret, namespace: TEAM_A })));

    const started = Date.now();
    const data = await waitFor(
      'the token controller to populate the Secret',
      async () => {
        const s = await admin().readNamespacedSecret({ name: secret, namespace: TEAM_A });
        return s.data?.token ? s.data : undefined;
      },
      { timeoutMs: 15_000 },
    );
    assert.ok(Date.now() - started < 15_000);
    assert.equal(Buffer.from(data.namespace ?? '', 'base64').toString(), TEAM_A);
    const caPem = Buffer.from(data['ca.crt'] ?? '', 'base64').toString();
    const clusterCa = Buffer.from(kubeConfigFor('admin').getCurrentCluster()?.caData ?? '', 'base64').toString();
    assert.equal(caPem.trim(), clusterCa.trim(), 'ca.crt is the cluster CA (--root-ca-file)');

    const token = Buffer.from(data.token ?? '', 'base64').toString();
    const me = await whoAmI(kubeConfigWithToken(token));
    assert.equal(me.username, `system:serviceaccount:${TEAM_A}:${sa}`);

    // developer may create and delete secrets, never read them.
    await assert.rejects(developer().readNamespacedSecret({ name: secret, namespace: TEAM_A }), (err: unknown) => {
      assert.equal(apiStatus(err)?.code, 403);
      return true;
    });
  });
});
