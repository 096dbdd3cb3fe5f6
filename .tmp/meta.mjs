import * as esbuild from 'esbuild';
const entry = process.argv[2];
const r = await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], minify: true, write: false, metafile: true, logLevel: 'error', define: { 'import.meta.url': 'importMetaUrl', PIPELINE_RBAC_VERSION: '"x"' }, alias: { yaml: './node_modules/yaml/browser/index.js' }, outfile: '/tmp/i13/x.js' });
const out = Object.values(r.metafile.outputs)[0];
console.log('total', (out.bytes/1024).toFixed(0), 'KiB');
const byPkg = {};
for (const [f, i] of Object.entries(out.inputs)) { const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f); const k = m ? m[1] : f.split('/').slice(0,3).join('/'); byPkg[k] = (byPkg[k]||0) + i.bytesInOutput; }
for (const [k,v] of Object.entries(byPkg).sort((a,b)=>b[1]-a[1]).slice(0,25)) console.log((v/1024).toFixed(0).padStart(6), k);
