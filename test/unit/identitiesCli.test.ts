import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../server/src/cli/errors';
import { runIdentities } from '../../server/src/cli/identities';
import { KubeconfigError } from '../../server/src/core/live/kubeconfig';

const noKubeconfig = { KUBECONFIG: '/nonexistent/kubeconfig' };

test('flags are checked before any cluster call', async () => {
  const usage = (argv: string[], re: RegExp) => assert.rejects(runIdentities(argv, noKubeconfig), (e: unknown) => e instanceof UsageError && re.test(e.message));
  await usage(['--format', 'yaml'], /--format must be one of text, json/);
  await usage(['-n', 'team-a', '-A'], /cannot be combined/);
  await usage(['--namespace', 'Not_A_Namespace'], /not a valid namespace name/);
  await usage(['--disable', 'secrets-read,no-such-rule'], /unknown rule "no-such-rule"/);
  await usage(['--bogus'], /bogus/);
  await usage(['extra-positional'], /positional|Unexpected argument/i);
});

test('--help prints the usage and succeeds; a missing kubeconfig is a clear error', async () => {
  let out = '';
  assert.equal(await runIdentities(['--help'], noKubeconfig, (s) => void (out += s)), 0);
  assert.match(out, /--all-namespaces/);
  assert.match(out, /--all-service-accounts/);
  await assert.rejects(runIdentities(['-A'], noKubeconfig), (e: unknown) => e instanceof KubeconfigError && /no kubeconfig found/.test(e.message));
});
