import * as esbuild from 'esbuild';
for (const define of [{ FLAG: '"x.js"' }, { FLAG: 'undefined' }]) {
  const r = await esbuild.build({ entryPoints: ['.tmp/dce/a.ts'], bundle: true, platform: 'node', format: 'cjs', write: false, define, minify: true, logLevel: 'error' });
  console.log(JSON.stringify(define), r.outputFiles[0].text.includes('BIGMODULE'));
}
