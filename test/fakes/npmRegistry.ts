// A loopback stand-in for the npm registry, serving packed tarballs the way npm's registry API documents it: the
// packument at GET /<name> (with `dist-tags` and, per version, the package.json plus `dist.tarball`, `dist.shasum`
// and `dist.integrity`), the tarball at GET /<name>/-/<name>-<version>.tgz. Everything else is 404, so a client
// that needs any other package fails instead of quietly reaching the real registry.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Published {
  readonly manifest: Record<string, unknown> & { name: string; version: string };
  readonly tarball: Buffer;
}

export class FakeNpmRegistry {
  /** Every request's method and path, in order. */
  readonly requests: string[] = [];
  private readonly packages = new Map<string, Published[]>();
  private server: Server | undefined;
  private baseUrl = '';

  /** The registry URL for `npm_config_registry` (with the trailing slash npm expects). */
  get url(): string {
    return this.baseUrl;
  }

  /** Publishes a tarball made by `npm pack`; its package/package.json is the version's manifest. */
  publish(tarballPath: string): this {
    const tarball = readFileSync(tarballPath);
    const pkg = spawnSync('tar', ['-xzOf', tarballPath, 'package/package.json'], { encoding: 'utf8' });
    if (pkg.status !== 0) throw new Error(`cannot read package.json from ${tarballPath}: ${pkg.stderr}`);
    const manifest = JSON.parse(pkg.stdout) as Published['manifest'];
    this.packages.set(manifest.name, [...(this.packages.get(manifest.name) ?? []), { manifest, tarball }]);
    return this;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      this.requests.push(`${req.method} ${path}`);
      const tarballMatch = /^\/(.+)\/-\/[^/]+-(\d[^/]*)\.tgz$/.exec(path);
      const name = tarballMatch ? tarballMatch[1]! : path.slice(1);
      const versions = this.packages.get(name);
      if (req.method !== 'GET' || !versions) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Not found' }));
        return;
      }
      if (tarballMatch) {
        const hit = versions.find((v) => v.manifest.version === tarballMatch[2]);
        if (!hit) res.writeHead(404).end();
        else res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': hit.tarball.length }).end(hit.tarball);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.packument(name, versions)));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private packument(name: string, versions: Published[]) {
    const entries = versions.map(({ manifest, tarball }) => [
      manifest.version,
      {
        ...manifest,
        _id: `${name}@${manifest.version}`,
        dist: {
          tarball: `${this.baseUrl}${name}/-/${name.split('/').pop()}-${manifest.version}.tgz`,
          shasum: createHash('sha1').update(tarball).digest('hex'),
          integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
        },
      },
    ]);
    return { name, 'dist-tags': { latest: versions.at(-1)!.manifest.version }, versions: Object.fromEntries(entries) };
  }
}
