/**
 * Fidelity of the engine's escalation prediction against the real apiserver: for each of N random Roles/ClusterRoles,
 * the engine predicts (from the developer's LIVE rules, read the way the language server reads them) whether the
 * apiserver accepts it and, if not, the exact Forbidden message; then `developer` creates it with dryRun=All.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { roleVerdict } from '../../server/src/engine/rbac/notHeld';
import type { HeldPermissions } from '../../server/src/engine/rbac/heldPermissions';
import { validateObject } from '../../server/src/engine/schema/validate';
import { parseRbacFile } from '../../server/src/engine/yaml/parse';
import { LiveEnvironment } from '../../server/src/live/liveEnvironment';
import { DEFAULT_SETTINGS } from '../../server/src/shared/settings';
import { apiStatus, clusterKubeconfigs, kubeConfigFor } from './harness';
import { generateRoles } from './roleGenerator';

const COUNT = Number(process.env.PIPELINE_RBAC_FIDELITY_COUNT ?? 2000);
// A new seed every run widens coverage over time; the seed is printed so any mismatch can be replayed.
const SEED = Number(process.env.PIPELINE_RBAC_FIDELITY_SEED ?? Math.floor(Date.now() / 1000) % 1_000_000);
const CONCURRENCY = 8;

type Outcome = { status: 'allowed' } | { status: 'forbidden'; message: string } | { status: 'invalid'; message: string } | { status: 'other'; message: string };

describe(`fidelity: engine vs kube-apiserver on ${COUNT} random roles (seed ${SEED})`, () => {
  let held: HeldPermissions;
  before(async () => {
    const settings = { ...DEFAULT_SETTINGS, kubeconfig: clusterKubeconfigs().developer };
    const env = new LiveEnvironment();
    const probe = parseRbacFile(
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: p, namespace: team-a}\nrules: []\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: p}\nrules: []\n',
    ).objects;
    await env.refresh(settings, probe);
    held = env.options(settings).held!;
    assert.ok(held.namespaces['team-a'] && held.namespaces[''], 'live rules for team-a and cluster scope were read');
  });

  it('predicts accept/reject and the exact Forbidden message for every role', async () => {
    const api = KubernetesObjectApi.makeApiClient(kubeConfigFor('developer'));
    const roles = generateRoles(SEED, COUNT, `fid-${SEED}`);
    const mismatches: string[] = [];
    const tally = { allowed: 0, forbidden: 0, invalid: 0 };
    let next = 0;
    const started = Date.now();
    const worker = async () => {
      while (next < roles.length) {
        const g = roles[next++]!;
        const obj = parseRbacFile(g.yaml).objects[0]!;
        const schemaErrors = validateObject(obj).filter((f) => f.severity === 'error');
        const verdict = roleVerdict(obj, held, 'team-a');
        const predicted = schemaErrors.length ? 'invalid' : verdict.status === 'denied' ? 'forbidden' : verdict.status;
        const actual = await createDryRun(api, parse(g.yaml) as KubernetesObject);
        if (actual.status !== 'other') tally[actual.status]++;
        const same =
          predicted === actual.status &&
          (actual.status !== 'forbidden' || (verdict.status === 'denied' && verdict.message === actual.message));
        if (!same) {
          mismatches.push(
            `${g.kind} ${g.name}: engine ${predicted}${verdict.status === 'denied' ? ` (${verdict.message})` : ''}` +
              `${schemaErrors.length ? ` [${schemaErrors.map((f) => f.message).join('; ')}]` : ''}; apiserver ${actual.status}` +
              `${'message' in actual ? ` (${actual.message})` : ''}\n${g.yaml}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const agreed = roles.length - mismatches.length;
    console.log(
      `fidelity: ${agreed}/${roles.length} agree (${((100 * agreed) / roles.length).toFixed(2)}%), apiserver accepted ${tally.allowed}, forbade ${tally.forbidden}, rejected as invalid ${tally.invalid}; ${Date.now() - started} ms; seed ${SEED}`,
    );
    assert.ok(tally.allowed > COUNT / 10 && tally.forbidden > COUNT / 10, `the generator exercises both outcomes: ${JSON.stringify(tally)}`);
    assert.deepEqual(mismatches.slice(0, 5), [], `${mismatches.length} mismatches (first 5 shown)`);
  });
});

async function createDryRun(api: KubernetesObjectApi, spec: KubernetesObject): Promise<Outcome> {
  try {
    await api.create(spec, undefined, 'All');
    return { status: 'allowed' };
  } catch (err) {
    const s = apiStatus(err);
    if (s?.code === 403) return { status: 'forbidden', message: s.message };
    if (s?.code === 422) return { status: 'invalid', message: s.message };
    return { status: 'other', message: s ? `${s.code} ${s.message}` : String(err) };
  }
}
