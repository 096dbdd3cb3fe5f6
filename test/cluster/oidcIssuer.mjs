// A CI OIDC issuer for the test cluster: HTTPS on loopback with its own CA, serving OpenID discovery
// and JWKS the way GitHub Actions (here GitHub Enterprise Server-shaped: https://HOST/_services/token)
// and GitLab CI (the instance URL) do, one issuer per port, each with its own RS256 key. Tokens are
// signed with `jose`. The apiserver trusts both through --authentication-config (see oidcAuthConfig.ts).
//
// Files under <state>/pki/oidc/ (mode 0600 for keys):
//   ca.crt, ca.key, serving.crt, serving.key   the issuers' own CA and loopback serving certificate
//   issuers.json                               { github|gitlab: { url, port, path, kid, privateJwk } }
//
// Run as `node oidcIssuer.mjs serve <pki/oidc dir>` (cluster.mjs does, as a tracked component).
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, get } from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ISSUER_SCRIPT = fileURLToPath(import.meta.url);

export const PROVIDERS = ['github', 'gitlab'];
/** GitHub Enterprise Server's issuer path; GitLab's issuer is the instance URL itself. */
const ISSUER_PATH = { github: '/_services/token', gitlab: '' };
/** Where each provider publishes its keys (github: /.well-known/jwks, gitlab: /oauth/discovery/keys). */
const JWKS_PATH = { github: '/.well-known/jwks', gitlab: '/oauth/discovery/keys' };
const CLAIMS = {
  github: ['sub', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'ref', 'ref_type', 'environment', 'event_name', 'repository',
    'repository_id', 'repository_owner', 'repository_owner_id', 'workflow', 'job_workflow_ref', 'actor', 'run_id'],
  gitlab: ['sub', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'namespace_id', 'namespace_path', 'project_id', 'project_path',
    'ref', 'ref_type', 'ref_protected', 'environment', 'pipeline_source', 'user_login'],
};

/** Creates the issuers' CA, serving certificate and signing keys for the given ports; returns issuers.json. */
export function generateIssuers(dir, ports) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const openssl = (args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3650',
    '-subj', '/CN=pipeline-rbac-test-oidc-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(['req', '-x509', '-CA', 'ca.crt', '-CAkey', 'ca.key', ...ec, '-keyout', 'serving.key',
    '-out', 'serving.crt', '-days', '3650', '-subj', '/CN=oidc-issuer',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'keyUsage=critical,digitalSignature', '-addext', 'extendedKeyUsage=serverAuth']);
  const issuers = {};
  for (const provider of PROVIDERS) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const port = ports[provider];
    issuers[provider] = {
      url: `https://127.0.0.1:${port}${ISSUER_PATH[provider]}`,
      port,
      path: ISSUER_PATH[provider],
      kid: `${provider}-${randomBytes(6).toString('hex')}`,
      privateJwk: privateKey.export({ format: 'jwk' }),
    };
  }
  writeFileSync(join(dir, 'issuers.json'), `${JSON.stringify(issuers, null, 2)}\n`, { mode: 0o600 });
  for (const f of ['ca.key', 'serving.key']) chmodSync(join(dir, f), 0o600);
  return issuers;
}

export function readIssuers(dir) {
  return JSON.parse(readFileSync(join(dir, 'issuers.json'), 'utf8'));
}

function publicJwk(issuer) {
  const { kty, n, e } = issuer.privateJwk;
  return { kty, n, e, kid: issuer.kid, alg: 'RS256', use: 'sig' };
}

/**
 * Signs `claims` exactly as given (no defaults: tests mint expired, wrong-audience or forged tokens)
 * with the key of the issuer whose URL is claims.iss.
 */
export async function signToken(dir, claims) {
  const { SignJWT, importJWK } = await import('jose');
  const issuer = Object.values(readIssuers(dir)).find((i) => i.url === claims?.iss);
  if (!issuer) throw new Error(`no test issuer has the URL ${JSON.stringify(claims?.iss)} (claims.iss)`);
  const key = await importJWK(issuer.privateJwk, 'RS256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: issuer.kid, typ: 'JWT' }).sign(key);
}

/** True when every issuer serves its discovery document over HTTPS trusted through the issuers' CA. */
export async function issuersReady(dir) {
  const ca = readFileSync(join(dir, 'ca.crt'));
  const probes = Object.values(readIssuers(dir)).map((issuer) => new Promise((resolvePromise) => {
    const req = get(`${issuer.url}/.well-known/openid-configuration`, { ca, timeout: 2000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        try {
          resolvePromise(res.statusCode === 200 && JSON.parse(text).issuer === issuer.url);
        } catch {
          resolvePromise(false);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolvePromise(false));
  }));
  return (await Promise.all(probes)).every(Boolean);
}

/**
 * The API server's --authentication-config for these issuers, written by the product's own `identity oidc`
 * (test/cluster/oidcAuthConfig.ts, TypeScript through tsx, run from the repository root).
 */
export function writeAuthConfig(repoRoot, dir, output) {
  const script = pathToFileURL(join(dirname(ISSUER_SCRIPT), 'oidcAuthConfig.ts')).href;
  const code = `import(${JSON.stringify(script)}).then((m) => (m.writeAuthenticationConfig ?? m.default.writeAuthenticationConfig)(process.argv[1], process.argv[2]))` +
    '.catch((e) => { process.stderr.write(String(e && e.message || e) + "\\n"); process.exit(1); })';
  execFileSync(process.execPath, ['--import', 'tsx', '-e', code, dir, output], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
}

function routes(provider, issuer) {
  const json = (body) => ({ type: 'application/json', body: JSON.stringify(body) });
  return new Map([
    [`${issuer.path}/.well-known/openid-configuration`, json({
      issuer: issuer.url,
      jwks_uri: `https://127.0.0.1:${issuer.port}${issuer.path}${JWKS_PATH[provider]}`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public', 'pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid'],
      claims_supported: CLAIMS[provider],
    })],
    [`${issuer.path}${JWKS_PATH[provider]}`, json({ keys: [publicJwk(issuer)] })],
  ]);
}

/** Serves discovery and JWKS of every issuer until killed; logs one line per request. */
export function serve(dir) {
  const issuers = readIssuers(dir);
  const tls = { key: readFileSync(join(dir, 'serving.key')), cert: readFileSync(join(dir, 'serving.crt')) };
  for (const [provider, issuer] of Object.entries(issuers)) {
    const table = routes(provider, issuer);
    const server = createServer(tls, (req, res) => {
      const path = new URL(req.url ?? '/', 'https://x').pathname;
      const hit = req.method === 'GET' ? table.get(path) : undefined;
      process.stdout.write(`${new Date().toISOString()} ${provider} ${req.method} ${path} ${hit ? 200 : 404}\n`);
      if (!hit) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        return;
      }
      res.writeHead(200, { 'content-type': hit.type, 'cache-control': 'max-age=60' }).end(hit.body);
    });
    server.listen(issuer.port, '127.0.0.1', () => process.stdout.write(`${provider} issuer ${issuer.url} listening\n`));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, dir] = process.argv.slice(2);
  if (command !== 'serve' || !dir) {
    process.stderr.write('usage: oidcIssuer.mjs serve <pki/oidc dir>\n');
    process.exit(2);
  }
  serve(dir);
}
