/**
 * "Which Role does the identity get": a Role document from the workspace, an existing Role in the namespace, or
 * a least-privilege Role generated from the workspace manifests. Whatever is chosen is checked by the engine
 * against the acting user's live permissions before the flow may go on; blocking findings are shown and stop it.
 */
import { ThemeIcon, window, workspace, type Uri } from 'vscode';
import { builtinCatalog, leastPrivilegeRules, type ManifestKind, manifestKinds, neededPermissions } from '../../../server/src/core/engine';
import { checkPlanRole, checkRbacName, DEFAULT_TOKEN_SECONDS, formatReasons, listRoleNames, type RoleCheck } from '../../../server/src/core/lifecycle';
import type { LoadedKubeconfig } from '../../../server/src/core/live';
import { readSettings } from '../settings';
import { looksLikeRole, roleSource, type RoleChoice } from './flowModel';
import { problemOf } from './inputCheck';
import { FlowBack, input, pick, separator, type PickItem, type StepPosition } from './wizard';
import { errorText } from '../../../server/src/core/engine';

type Source = 'file' | 'existing' | 'generated';

export interface RoleAnswer {
  choice: RoleChoice;
  check: RoleCheck;
}

export interface RoleQuestion {
  kubeconfig: LoadedKubeconfig;
  namespace: string;
  name: string;
}

export async function askRole(q: RoleQuestion, at: StepPosition): Promise<RoleAnswer> {
  for (;;) {
    const source = await pick<Source>({
      ...at,
      placeholder: `Which Role should ${q.namespace}/${q.name} be bound to?`,
      items: [
        { label: '$(file-code) Role file from the workspace', description: 'checked against your permissions first', value: 'file' },
        { label: `$(cloud) Existing Role in ${q.namespace}`, description: 'bound as is, never modified', value: 'existing' },
        { label: '$(wand) Generate a least-privilege Role', description: 'from the manifests the pipeline deploys', value: 'generated' },
      ],
      active: (v) => v === 'file',
    });
    try {
      const inner = { ...at, back: true };
      const choice = source === 'file' ? await askFile(inner) : source === 'existing' ? await askExisting(q, inner) : await askGenerated(q, inner);
      const check = await checkChoice(q, choice, inner);
      return { choice, check };
    } catch (e) {
      if (e instanceof FlowBack) continue;
      throw e;
    }
  }
}

async function roleFiles(): Promise<{ uri: Uri; path: string; text: string }[]> {
  const uris = await workspace.findFiles('**/*.{yaml,yml}', '**/{node_modules,.git}/**', 2000);
  const open = new Map(workspace.textDocuments.map((d) => [d.uri.toString(), d.getText()]));
  const out: { uri: Uri; path: string; text: string }[] = [];
  for (const uri of uris) {
    const text = open.get(uri.toString()) ?? new TextDecoder().decode(await workspace.fs.readFile(uri));
    if (looksLikeRole(text)) out.push({ uri, path: workspace.asRelativePath(uri), text });
  }
  // The active editor's Role first: the usual case is "this file".
  const active = window.activeTextEditor?.document.uri.toString();
  return out.sort((a, b) => Number(b.uri.toString() === active) - Number(a.uri.toString() === active) || a.path.localeCompare(b.path));
}

async function askFile(at: StepPosition): Promise<RoleChoice> {
  const files = roleFiles();
  const f = await pick({
    ...at,
    placeholder: 'Role file (one Role document; its bindings and ServiceAccount are created by this flow)',
    loading: 'Looking for Role documents in the workspace...',
    items: files.then((list) =>
      list.length
        ? list.map((x) => ({ label: x.path, iconPath: new ThemeIcon('file-code'), value: x }))
        : [{ label: 'No Role documents in the workspace', detail: 'Press Back and choose another source, or open a folder with a Role.' }],
    ),
    matchOnDescription: true,
  });
  // Unsaved edits count: the check and the apply use what the editor shows.
  const doc = workspace.textDocuments.find((d) => d.uri.toString() === f.uri.toString());
  return { kind: 'file', path: f.path, text: doc?.getText() ?? f.text };
}

async function askExisting(q: RoleQuestion, at: StepPosition): Promise<RoleChoice> {
  const listed = listRoleNames(q.kubeconfig.kc, q.namespace).catch((err: unknown) => ({ error: errorText(err).split('\n')[0] ?? 'error' }));
  const TYPE = '\u0000type';
  const name = await pick<string>({
    ...at,
    placeholder: `Existing Role in ${q.namespace}`,
    loading: `Listing the Roles in ${q.namespace}...`,
    items: listed.then((r) => [
      ...(Array.isArray(r) ? r.map((n) => ({ label: n, iconPath: new ThemeIcon('shield'), value: n })) : [{ label: `$(warning) Cannot list Roles: ${r.error}` }]),
      separator<string>(''),
      { label: '$(edit) Type a Role name...', value: TYPE },
    ]),
  });
  if (name !== TYPE) return { kind: 'existing', name };
  const typed = await input({ ...at, prompt: `Name of a Role in ${q.namespace}`, validate: (v) => problemOf(() => checkRbacName(v.trim())) });
  return { kind: 'existing', name: typed.trim() };
}

async function askGenerated(q: RoleQuestion, at: StepPosition): Promise<RoleChoice> {
  const s = readSettings();
  const globs = s.manifests.length
    ? s.manifests
    : [
        (
          await input({
            ...at,
            prompt: 'Which manifests does the pipeline deploy? A glob relative to the workspace (set "pipelineRbac.manifests" to skip this question).',
            value: 'deploy/**/*.yaml',
            validate: (v) => (v.trim() ? undefined : 'Enter a glob.'),
          })
        ).trim(),
      ];
  const files: Uri[] = [];
  for (const g of globs) files.push(...(await workspace.findFiles(g, '**/node_modules/**', 2000)));
  const kinds: ManifestKind[] = [];
  for (const f of files) kinds.push(...manifestKinds(new TextDecoder().decode(await workspace.fs.readFile(f)), workspace.asRelativePath(f)));
  if (!kinds.length) {
    await pick({ ...at, placeholder: `No Kubernetes manifests match ${globs.join(', ')}`, items: [{ label: '$(arrow-left) Back', value: 'back' }] });
    throw new FlowBack();
  }
  const catalog = builtinCatalog();
  const needed = neededPermissions(kinds, (g, k) => catalog.resourceForKind(g, k), s.deployVerbs, s.deployer);
  const rules = leastPrivilegeRules(needed);
  const roleName = (await input({ ...at, prompt: `Name of the generated Role (${rules.length} rule(s) for ${[...needed.resources.keys()].join(', ')})`, value: `${q.name}-deployer`, validate: (v) => problemOf(() => checkRbacName(v.trim())) })).trim();
  return { kind: 'generated', name: roleName, rules, sources: new Set(kinds.map((k) => k.source)).size };
}

type Verdict = 'continue' | 'back';

/**
 * Runs the engine check (busy picker meanwhile). Blocking reasons are listed with no way forward but Back;
 * other findings are listed with "Continue"; a clean Role continues at once.
 */
async function checkChoice(q: RoleQuestion, choice: RoleChoice, at: StepPosition): Promise<RoleCheck> {
  const plan = { namespace: q.namespace, name: q.name, role: roleSource(choice), token: { kind: 'request' as const, durationSeconds: DEFAULT_TOKEN_SECONDS } };
  let check: RoleCheck | undefined;
  const verdict = await pick<Verdict>({
    ...at,
    placeholder: '',
    loading: `Checking the Role against your permissions in ${q.namespace}...`,
    items: checkPlanRole(plan, { kubeconfig: q.kubeconfig }).then(
      (c): PickItem<Verdict>[] => {
        check = c;
        if (c.blocking.length) {
          return [
            { label: '$(arrow-left) Choose another Role', description: 'nothing was created', value: 'back' },
            separator(`You cannot create or bind this Role (${c.blocking.length} reason${c.blocking.length === 1 ? '' : 's'})`),
            ...formatReasons(c, choice.kind === 'file' ? choice.path : undefined).map((r) => ({ label: `$(error) ${r}` })),
          ];
        }
        if (!c.notes.length) return [{ label: '$(pass) Continue', value: 'continue' }];
        return [
          { label: '$(pass) Continue', description: `Role ${c.roleName} passed the permission check`, value: 'continue' },
          separator('Other findings (not blocking)'),
          ...c.notes.map((n) => ({ label: `$(info) ${choice.kind === 'file' ? `${choice.path}:${n.line}: ` : ''}${n.message} [${n.ruleId}]` })),
        ];
      },
      (err: unknown): PickItem<Verdict>[] => [
        { label: '$(arrow-left) Choose another Role', value: 'back' },
        { label: `$(error) ${errorText(err).split('\n')[0]}`, detail: 'Nothing was created.' },
      ],
    ),
    // A clean Role needs no extra keystroke.
    autoPick: (items) => (items.length === 1 && items[0]?.value === 'continue' ? 'continue' : undefined),
  });
  if (verdict === 'back' || !check || check.blocking.length) throw new FlowBack();
  return check;
}
