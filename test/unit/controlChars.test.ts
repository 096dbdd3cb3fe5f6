// Human-readable output never carries a raw control character from a file or the cluster: a terminal would obey an
// ESC sequence or CR, and a LF would let a value start a line of its own (a `::error::` workflow command in CI logs).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeControl, escapeLines, escapeStrings } from '../../server/src/core/shared/controlChars';
import { buildIdentitiesModel } from '../../server/src/core/inventory/model';
import { renderIdentitiesText } from '../../server/src/core/inventory/render';
import { renderRevoke, renderRotate } from '../../server/src/core/lifecycle/summary';
import { ANNOTATIONS } from '../../server/src/core/lifecycle/types';

const HOSTILE = '\u001b[2J\rNo problems in 1 file.\n::error::x';
// Everything a terminal or log viewer acts on; LF is allowed only between lines we meant.
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function assertSafe(text: string): void {
  assert.ok(!RAW.test(text), `a raw control character in ${JSON.stringify(text)}`);
  for (const line of text.split('\n')) assert.ok(!line.startsWith('::'), `a line that is a workflow command: ${JSON.stringify(line)}`);
}

describe('control characters in human-readable output', () => {
  it('escapeControl shows every control character as a visible escape, on one line', () => {
    assert.equal(escapeControl(HOSTILE), '\\e[2J\\rNo problems in 1 file.\\n::error::x');
    assert.equal(escapeControl('a\u0000b\u007fc\u009bd\u202ee\u2028f\tg'), 'a\\x00b\\x7fc\\x9bd\\u202ee\\u2028f\\tg');
    assert.equal(escapeControl('plain text, "quoted", ünïcödé'), 'plain text, "quoted", ünïcödé');
    assert.equal(escapeLines('one\u001b[31m\ntwo\r'), 'one\\e[31m\ntwo\\r');
  });

  it('escapeStrings copies plain data with every string escaped, and keeps "__proto__" a key', () => {
    const input = JSON.parse('{"a":["x\\ny",{"b":"\\u001b"}],"n":1,"__proto__":{"polluted":"\\r"}}') as Record<string, unknown>;
    const out = escapeStrings(input);
    assert.deepEqual(out.a, ['x\\ny', { b: '\\e' }]);
    assert.equal(out.n, 1);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, { polluted: '\\r' });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('identities text: annotations and rule strings from the cluster cannot rewrite the screen or start a line', () => {
    const model = buildIdentitiesModel(
      {
        clusterWide: true,
        namespaces: ['team-a'],
        serviceAccounts: [
          {
            metadata: {
              name: 'deployer',
              namespace: 'team-a',
              annotations: { [ANNOTATIONS.createdBy]: HOSTILE, [ANNOTATIONS.exportedTo]: `vault ${HOSTILE}` },
            },
          },
        ],
        tokenSecrets: [],
        roleBindings: [
          {
            kind: 'RoleBinding',
            metadata: { name: 'deployer', namespace: 'team-a' },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deployer' },
            subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'team-a' }],
          },
        ],
        clusterRoleBindings: [],
        roles: [{ kind: 'Role', metadata: { name: 'deployer', namespace: 'team-a' }, rules: [{ apiGroups: [''], resources: [HOSTILE], verbs: ['get'] }] }],
        clusterRoles: [],
        readable: ['serviceaccounts/*', 'secrets/*', 'rolebindings/*', 'roles/*', 'clusterroles/*', 'clusterrolebindings/*'],
        problems: [],
        stats: { listRequests: 0, otherRequests: 0, fetchMs: 0 },
      },
      { now: new Date('2026-11-23T12:00:00Z'), allServiceAccounts: true, context: 'ctx', server: 'https://127.0.0.1:6443' },
    );
    const text = renderIdentitiesText(model);
    assertSafe(text);
    assert.match(text, /created by \\e\[2J\\rNo problems in 1 file\.\\n::error::x/);
  });

  it('rotate and revoke summaries escape what they quote', () => {
    const revoke = renderRevoke({
      namespace: 'team-a',
      serviceAccount: 'deployer',
      deleted: [`Secret ${HOSTILE}`],
      alreadyGone: [],
      kept: [HOSTILE],
      remaining: [HOSTILE],
      unchecked: [],
      claimedExport: HOSTILE,
      oldToken: { state: 'not-checked', reason: HOSTILE },
      warnings: [HOSTILE],
    });
    assertSafe(revoke);
    assert.ok(revoke.includes('\\n::error::x'));
    const rotate = renderRotate({
      namespace: 'team-a',
      serviceAccount: 'deployer',
      token: { kind: 'secret', secretName: HOSTILE },
      export: { action: 'updated', location: HOSTILE },
      revokedSecrets: [`Secret ${HOSTILE}`],
      leftAlone: [{ name: HOSTILE, reason: HOSTILE }],
      oldToken: { state: 'refused', seconds: 1 },
      warnings: [HOSTILE],
    } as unknown as Parameters<typeof renderRotate>[0]);
    assertSafe(rotate);
  });
});
