// ESLint rule `layers/imports`: which folder may import which (resolved paths, so `../../live` and `../live` are the
// same thing), and which npm packages a layer may use. The layers are declared in eslint.config.mjs; a file under
// server/src or client/src outside every layer is an error, so a new folder has to say where it sits.
import { dirname, relative, resolve, sep } from 'node:path';

const toPosix = (p) => p.split(sep).join('/');
const within = (path, dir) => path === dir || path.startsWith(`${dir}/`);
const packageOf = (spec) => (spec.startsWith('node:') ? 'node:' : spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/'));

/** The layer of a repository-relative path: the longest declared prefix. */
function layerOf(layers, path) {
  let best;
  for (const [dir, layer] of Object.entries(layers)) {
    if (within(path, dir) && (!best || dir.length > best.dir.length)) best = { dir, ...layer };
  }
  return best;
}

/** @type {import('eslint').Rule.RuleModule} */
const importsRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports flow one way between the layers of server/ and client/' },
    schema: [{ type: 'object', properties: { root: { type: 'string' }, layers: { type: 'object' }, checked: { type: 'array' } }, additionalProperties: false }],
    messages: {
      notAllowed: '{{from}} may not import {{to}} ({{spec}}); it may import {{may}}.',
      notFacade: '{{from}} reaches {{layer}} only through its facade {{layer}}/index.ts, not {{spec}}.',
      packageNotAllowed: '{{from}} may not use the package {{pkg}}; it may use {{packages}}.',
      packageDenied: '{{from}} may not use the package {{pkg}} ({{why}}).',
      noLayer: '{{file}} is in no layer of eslint.config.mjs: declare where its folder sits.',
    },
  },
  create(context) {
    const { root, layers, checked = [] } = context.options[0];
    const file = toPosix(relative(root, context.filename));
    const from = layerOf(layers, file);
    if (!from) {
      if (checked.some((dir) => within(file, dir))) {
        return { Program: (node) => context.report({ node, messageId: 'noLayer', data: { file } }) };
      }
      return {};
    }
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      if (spec.startsWith('.')) {
        const target = toPosix(relative(root, resolve(dirname(context.filename), spec)));
        const to = layerOf(layers, target);
        const allowed = from.may.some((dir) => within(target, dir));
        if (!allowed) {
          context.report({ node, messageId: 'notAllowed', data: { from: from.dir, to: to?.dir ?? target, spec, may: from.may.join(', ') } });
          return;
        }
        const facade = (from.facades ?? []).find((dir) => within(target, dir));
        if (facade && target !== facade && target !== `${facade}/index`) {
          context.report({ node, messageId: 'notFacade', data: { from: from.dir, layer: facade, spec } });
        }
        return;
      }
      const pkg = packageOf(spec);
      if (from.packages && !from.packages.includes(pkg)) {
        context.report({ node, messageId: 'packageNotAllowed', data: { from: from.dir, pkg, packages: from.packages.join(', ') || 'none' } });
        return;
      }
      const denied = (from.deny ?? []).find((d) => d.packages.includes(pkg));
      if (denied) context.report({ node, messageId: 'packageDenied', data: { from: from.dir, pkg, why: denied.why } });
    };
    const literal = (n) => (n && n.type === 'Literal' ? n.value : undefined);
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ImportExpression: (node) => check(node, literal(node.source)),
      TSImportType: (node) => check(node, literal(node.argument?.literal ?? node.argument)),
      TSExternalModuleReference: (node) => check(node, literal(node.expression)),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') check(node, literal(node.arguments[0]));
      },
    };
  },
};

export default { meta: { name: 'pipeline-rbac-layers' }, rules: { imports: importsRule } };
