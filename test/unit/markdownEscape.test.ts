// Cluster and workspace text in the Markdown the extension renders (issue 20, item 7): rendered with markdown-it,
// the renderer of VS Code's Markdown preview, with HTML and linkify on (its most permissive settings), an annotation
// or name reads as its own text and never becomes an image, HTML, heading, code-span escape or table cell.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { escapeMarkdown, markdownCode, markdownFence } from '../../server/src/core/engine/text/markdown';
import { ruleHoverMarkdown } from '../../server/src/core/engine/explain/ruleHover';
import { analyzeText } from '../../server/src/core/engine/analyze';
import { builtinCatalog } from '../../server/src/core/engine/catalog/apiCatalog';
import { revokeSummary, rotateSummary, createSummary } from '../../client/src/lifecycle/summaryDoc';
import { findingLines, tooltip } from '../../client/src/inventory/treeMarkdown';
import type { FindingInfo } from '../../server/src/core/inventory';
import type { RevokeResult, RotateResult, IdentityResult } from '../../server/src/core/lifecycle/index';

interface MarkdownIt {
  render(src: string): string;
}
const MarkdownItCtor = createRequire(__filename)('markdown-it') as new (opts: Record<string, unknown>) => MarkdownIt;
const md = new MarkdownItCtor({ html: true, linkify: true });

const BEACON = '![x](https://host/beacon)';
const HOSTILE = [BEACON, '<img src="https://host/html">', 'a\n\n# Heading\n<script>alert(1)</script>', '`) ![y](https://host/code) (`', 'a | b', '&lt;img src=https://host/entity&gt;', '$x^2$', '- nested', '1. ordered'];

/** No element that loads, runs or restructures (a linkified URL is a link the user may click, never a load). */
function assertInert(html: string): void {
  assert.doesNotMatch(html, /<img|<script|<iframe|<svg|<td>b|<h[1-6][^>]*>[^<]*Heading/i, html);
  assert.doesNotMatch(html, /<[a-z]+[^>]*\ssrc=/i, html);
}

const plain = (html: string) => html.replace(/<[^>]+>/g, '').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

describe('escapeMarkdown / markdownCode / markdownFence', () => {
  test('each hostile text renders as exactly itself (newlines folded), in a paragraph, a list item and a table cell', () => {
    for (const h of HOSTILE) {
      const want = h.replace(/\n+/g, ' ');
      const para = md.render(escapeMarkdown(h));
      assertInert(para);
      assert.equal(plain(para).trim(), want);
      const item = md.render(`- ${escapeMarkdown(h)}`);
      assertInert(item);
      assert.equal(plain(item).trim(), want);
      const cell = md.render(`| a | b |\n|---|---|\n| ${escapeMarkdown(h)} | x |`);
      assertInert(cell);
      assert.ok(plain(cell).includes(want), cell);
      const code = md.render(markdownCode(h));
      assertInert(code);
      assert.equal(plain(code).trim(), want);
    }
  });

  test('a fence cannot be closed by the text inside it', () => {
    const text = 'a: 1\n```\n![x](https://host/fence)\n````\n';
    const html = md.render(markdownFence('yaml', text).join('\n'));
    assertInert(html);
    assert.match(html, /^<pre><code class="language-yaml">/);
    assert.ok(plain(html).includes('![x](https://host/fence)'));
  });
});

describe('the Markdown the extension renders', () => {
  test('revoke summary: the exported-to annotation and Secret names are text, never an image', () => {
    const r: RevokeResult = {
      namespace: 'team-a',
      serviceAccount: 'ci',
      deleted: [`Secret team-a/${BEACON}`],
      alreadyGone: ['<img src="https://host/gone">'],
      kept: [`Secret team-a/x (named by the token-secret annotation: ${BEACON})`],
      remaining: [`RoleBinding team-a/${BEACON} (ClusterRole edit)`],
      unchecked: [],
      claimedExport: BEACON,
      oldToken: { state: 'refused', seconds: 1 },
      warnings: [`The annotation says ${BEACON}`, 'a\n\n# Heading'],
    };
    const html = md.render(revokeSummary(r));
    assertInert(html);
    assert.ok(plain(html).includes(`exported to "${BEACON}" (cluster text, not verified)`), html);
    assert.ok(plain(html).includes(`Secret team-a/${BEACON}`));
    assert.match(plain(html), /NOT fully revoked/);
  });

  test('rotate and create summaries', () => {
    const token = { kind: 'request' as const, secretName: `ci-token-${BEACON}`, expiresAt: '2027-01-01T00:00:00Z', requestedSeconds: 3600, grantedSeconds: 3600, shortened: false };
    const exp = { store: 'file', location: `<img src="https://host/loc">`, action: 'created' as const };
    const rot: RotateResult = { namespace: 'team-a', serviceAccount: 'ci', token, export: exp, revokedSecrets: [BEACON], leftAlone: [], oldToken: { state: 'refused', seconds: 1 }, warnings: [BEACON], annotations: {} };
    assertInert(md.render(rotateSummary(rot)));
    const created: IdentityResult = { namespace: 'team-a', serviceAccount: 'ci', username: 'system:serviceaccount:team-a:ci', role: BEACON, roleOwned: true, roleBinding: 'ci', token, export: exp, created: [], updated: [], warnings: [BEACON], annotations: {} };
    assertInert(md.render(createSummary(created, { notes: [BEACON] })));
  });

  test('tree tooltips', () => {
    // A title or message with line breaks (an apiserver error, a name) must not start a block of its own.
    const html = md.render(tooltip('x\n\n# Heading', findingLines([{ ruleId: 'x`y' as FindingInfo['ruleId'], severity: 'warning', message: `${BEACON}\n\n# Heading $x$` }])));
    assertInert(html);
    assert.ok(plain(html).includes(`${BEACON} # Heading $x$`), html);
  });

  test('the hover on a rule quotes the Role name and findings as text', () => {
    const yaml = `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: "x\` ![i](https://host/hover) \`y"\n  namespace: team-a\nrules:\n  - apiGroups: [""]\n    resources: ["secrets"]\n    verbs: ["get"]\n`;
    const result = analyzeText(yaml, { catalog: builtinCatalog() });
    const obj = result.objects[0];
    assert.ok(obj);
    const rule = obj.rules[0];
    assert.ok(rule);
    const html = md.render(ruleHoverMarkdown({ obj, rule, defaultNamespace: 'default', findings: result.findings }));
    assertInert(html);
    assert.ok(plain(html).includes('x` ![i](https://host/hover) `y'), html);
  });
});
