/** `pipeline-rbac reach` output: text (escaped, like every CLI text), JSON (the ReachResult as is), SARIF 2.1.0. */
import { gainsSeverity, type ReachResult, type ViaStep } from '../core/reach';
import { escapeLines } from '../core/shared/controlChars';
import { RULES } from '../core/engine/rules/catalog';

function stepLine(v: ViaStep, i: number): string {
  const where = v.namespace ? ` in ${v.namespace}` : ' (cluster-wide)';
  return `      ${i + 1}. ${v.step}${where}\n         allowed by ${v.rule} via ${v.binding}`;
}

export function reachText(r: ReachResult): string {
  const out: string[] = [`${r.identity}`];
  out.push(r.complete ? '  complete: everything reach needs was readable' : '  INCOMPLETE: reach may miss steps through what could not be read:');
  for (const n of r.notVisible) out.push(`    - ${n}`);
  out.push('', `  Can become (${r.reaches.length}):`);
  if (r.reaches.length === 0) out.push('    nothing beyond itself');
  for (const e of r.reaches) {
    const sev = gainsSeverity(e.gains);
    out.push(`    ${e.subject}${sev ? ` [${sev}]` : ''}`);
    out.push(`      gains: ${e.gains.length ? e.gains.join('; ') : 'nothing beyond its own rights'}`);
    e.via.forEach((v, i) => out.push(stepLine(v, i)));
    out.push(`      proof: ${e.proof}`);
  }
  out.push('', `  Can be taken over by (${r.reachableBy.length}):`);
  if (r.reachableBy.length === 0) out.push('    no identity of the universe');
  for (const e of r.reachableBy) {
    out.push(`    ${e.subject}`);
    e.via.forEach((v, i) => out.push(stepLine(v, i)));
  }
  return `${escapeLines(out.join('\n'))}\n`;
}

export function reachJson(r: ReachResult): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

const META = RULES.reach;
const REACH_RULE = { id: 'reach', name: 'Reach', shortDescription: { text: META.title }, fullDescription: { text: META.description }, helpUri: META.docs, help: { text: `${META.description}\nFix: ${META.fix}` } };

export function reachSarif(r: ReachResult, version: string): string {
  const results = r.reaches
    .filter((e) => e.gains.length > 0)
    .map((e) => ({
      ruleId: 'reach',
      level: gainsSeverity(e.gains) === 'error' ? 'error' : 'warning',
      message: { text: `${r.identity} can become ${e.subject}, which gains ${e.gains.join('; ')}: ${e.via.map((v) => `${v.step}${v.namespace ? ` in ${v.namespace}` : ''}`).join(', then ')}` },
      properties: { subject: e.subject, via: e.via, gains: e.gains, proof: e.proof },
    }));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'pipeline-rbac', version, rules: [REACH_RULE] } }, results, properties: { identity: r.identity, complete: r.complete, notVisible: r.notVisible } }],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
