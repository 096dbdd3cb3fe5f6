import ts from 'typescript';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve, dirname, relative } from 'node:path';
function files(d: string): string[] { return readdirSync(d).flatMap((n) => { const p = join(d, n); return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : []; }); }
const root = process.argv[2] ?? 'client/src';
const byTarget = new Map<string, Set<string>>();
let count = 0; const filesHit = new Set<string>();
for (const f of files(root)) {
  const sf = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest);
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) && !(ts.isExportDeclaration(st) && st.moduleSpecifier)) continue;
    const spec = (st.moduleSpecifier as ts.StringLiteral).text;
    if (!spec.startsWith('.')) continue;
    const target = relative('.', resolve(dirname(f), spec));
    if (!target.startsWith('server/src')) continue;
    count++; filesHit.add(f);
    const names = new Set<string>();
    const cl = ts.isImportDeclaration(st) ? st.importClause : undefined;
    if (cl?.namedBindings && ts.isNamedImports(cl.namedBindings)) for (const e of cl.namedBindings.elements) names.add((e.propertyName ?? e.name).text);
    const s = byTarget.get(target) ?? new Set(); names.forEach((n) => s.add(n)); byTarget.set(target, s);
  }
}
console.log(`${count} imports from ${filesHit.size} files of ${files(root).length}`);
const bySub: Record<string, number> = {};
for (const t of byTarget.keys()) { const k = t.split('/')[2]; bySub[k] = (bySub[k] ?? 0) + 1; }
if (process.argv[3]) for (const [t, n] of [...byTarget].sort()) console.log(t, [...n].join(', '));
