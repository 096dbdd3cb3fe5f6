import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatExportTarget, parseExportTarget, type ExportTarget } from '../../../server/src/core/stores/target';
import { StoreError } from '../../../server/src/core/stores/secretStore';

describe('export target parser', () => {
  const good: Array<[string, ExportTarget]> = [
    ['github:acme/app:KUBECONFIG', { kind: 'github', owner: 'acme', repo: 'app', name: 'KUBECONFIG' }],
    ['github:acme/app@production:KUBE', { kind: 'github', owner: 'acme', repo: 'app', environment: 'production', name: 'KUBE' }],
    ['github:acme/app@prod: eu/west:KUBE', { kind: 'github', owner: 'acme', repo: 'app', environment: 'prod: eu/west', name: 'KUBE' }],
    ['gitlab:group/sub/app:KUBECONFIG', { kind: 'gitlab', project: 'group/sub/app', key: 'KUBECONFIG' }],
    ['gitlab:42:KUBE_B64@review/*', { kind: 'gitlab', project: '42', key: 'KUBE_B64', environmentScope: 'review/*' }],
    ['vault:kv/ci/team-a/deployer', { kind: 'vault', mount: 'kv', path: 'ci/team-a/deployer' }],
    ['file:./out/ci.kubeconfig', { kind: 'file', path: './out/ci.kubeconfig' }],
    ['file:C:\\Users\\me\\kc', { kind: 'file', path: 'C:\\Users\\me\\kc' }],
  ];
  for (const [spec, expected] of good) {
    it(`parses ${spec}`, () => {
      const t = parseExportTarget(spec);
      assert.deepEqual(t, expected);
      assert.equal(formatExportTarget(t), spec, 'round-trips');
    });
  }

  const bad: Array<[string, RegExp]> = [
    ['', /no store prefix; --export takes one of: github:OWNER\/REPO\[@ENVIRONMENT\]:SECRET_NAME \| gitlab:/],
    ['s3:bucket/key', /unknown store "s3"/],
    ['github:acme/app', /missing ":SECRET_NAME"; expected github:OWNER\/REPO\[@ENVIRONMENT\]:SECRET_NAME\./],
    ['github:acme:KUBE', /"acme" is not OWNER\/REPO/],
    ['github:acme/app/x:KUBE', /"acme\/app\/x" is not OWNER\/REPO/],
    ['github:acme/app:', /secret name after the last ":" is empty/],
    ['github:acme/app@:KUBE', /environment after "@" is empty/],
    ['gitlab:group/app', /missing ":VARIABLE"; expected gitlab:PROJECT:VARIABLE\[@ENVIRONMENT_SCOPE\]/],
    ['gitlab:group/app:A:B', /too many ":"/],
    ['gitlab::KEY', /the project is empty/],
    ['gitlab:/group/app:KEY', /not a project id or path/],
    ['gitlab:group/app:@prod', /variable name is empty/],
    ['gitlab:group/app:KEY@', /environment scope after "@" is empty/],
    ['vault:kv', /missing "\/PATH" after the mount; expected vault:MOUNT\/PATH/],
    ['vault:/kv/x', /empty path segment/],
    ['vault:kv/x/', /empty path segment/],
    ['vault:kv/../sys', /"\." and "\.\." are not allowed/],
    ['file:', /file path is empty; expected file:PATH/],
  ];
  for (const [spec, re] of bad) {
    it(`rejects "${spec}" with a precise usage error`, () => {
      assert.throws(
        () => parseExportTarget(spec),
        (e: unknown) => e instanceof StoreError && e.code === 'invalid' && e.message.startsWith(`Invalid export target "${spec}": `) && re.test(e.message),
      );
    });
  }
});
