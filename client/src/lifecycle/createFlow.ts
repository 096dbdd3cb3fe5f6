/**
 * "Pipeline RBAC: Create Pipeline Identity...": six numbered steps (pre-verification, name, Role, token, export,
 * confirm), then createIdentity from server/src/core/lifecycle under a cancellable progress notification. Nothing is
 * created before the last step is confirmed; Escape at any step ends the flow. Cancelling the progress rolls back.
 */
import { dirname } from 'node:path';
import { ProgressLocation, commands, window } from 'vscode';
import {
  createIdentity,
  formatDuration,
  IdentityError,
  LEGACY_TOKEN_WARNING,
  parseDuration,
  pipelineSnippets,
  preflightFor,
  type PreflightReport,
  serverWarnings,
  serviceAccountUsername,
  type StepId,
  type TokenKind,
} from '../../../server/src/core/lifecycle';
import { KubeconfigError, type LoadedKubeconfig } from '../../../server/src/core/live';
import { gitWarningFor, gitWorkTreeOf } from '../../../server/src/core/stores';
import { readSettings } from '../settings';
import { IDENTITIES_VIEW_ID } from '../inventory/registerIdentitiesView';
import { actingKubeconfig, buildStore, channelLogger, confirmInsecureServer, recordingPlan, redactorFor, showFailure, workspaceDir, type IdentityCommandDeps } from './common';
import type { Credentials } from './credentials';
import { describeChoice, snippetInput } from './exportChoice';
import { askExport, insideWorkspace } from './exportStep';
import {
  CREATE_TITLE,
  DEFAULT_LIFETIME,
  describeRole,
  describeToken,
  lifetimeProblem,
  namespaceProblem,
  nameProblem,
  nextStage,
  planFrom,
  preflightKey,
  preflightLines,
  previewYaml,
  previousStage,
  serverUrlProblem,
  stageStep,
  suggestName,
  type CreateAnswers,
  type Stage,
  type TokenChoice,
} from './flowModel';
import { askRole } from './roleStep';

const PREVIEW_DETAIL = 'Open the exact YAML it applies, read-only, with its findings';
import { createSummary } from './summaryDoc';
import { FlowBack, FlowCancelled, input, pick, separator, type PickItem, type StepPosition } from './wizard';
import { errorText, escapeMarkdown, markdownFence } from '../../../server/src/core/engine';

const STEP_WEIGHT: Partial<Record<StepId, number>> = { preflight: 10, 'check-role': 15, 'validate-export': 5, 'dry-run': 10, 'service-account': 10, role: 10, 'role-binding': 10, token: 10, kubeconfig: 5, export: 10, annotate: 5 };

function at(stage: Stage, back?: boolean): StepPosition {
  return { title: CREATE_TITLE, ...stageStep(stage), ...(back !== undefined ? { back } : {}) };
}

/** The flow's state between steps. */
class CreateFlow {
  readonly answers: CreateAnswers;
  private credentials: Credentials = { credentials: {} };
  private readonly preflights = new Map<string, Promise<PreflightReport>>();

  constructor(
    private readonly deps: IdentityCommandDeps,
    private readonly kubeconfig: LoadedKubeconfig,
    namespace: string,
  ) {
    this.answers = { context: kubeconfig.context, namespace };
  }

  private cachedPreflight(namespace: string, tokenKind: TokenKind, createsRole: boolean): Promise<PreflightReport> {
    const key = preflightKey(namespace, tokenKind, createsRole);
    let p = this.preflights.get(key);
    if (!p) {
      p = preflightFor({ namespace, tokenKind, createsRole }, { kubeconfig: this.kubeconfig });
      p.catch(() => this.preflights.delete(key)); // a failed check is asked again
      this.preflights.set(key, p);
    }
    return p;
  }

  /** Runs the stages; resolves false when the user cancelled (nothing created). */
  async ask(): Promise<boolean> {
    let stage: Stage | undefined = 'preflight';
    try {
      while (stage) {
        const current: Stage = stage;
        try {
          await this.stage(current);
          stage = nextStage(current);
        } catch (e) {
          if (!(e instanceof FlowBack)) throw e;
          stage = previousStage(current) ?? current;
        }
      }
      return true;
    } catch (e) {
      if (e instanceof FlowCancelled) return false;
      throw e;
    }
  }

  private async stage(stage: Stage): Promise<void> {
    const a = this.answers;
    switch (stage) {
      case 'preflight':
        return this.preflightStage();
      case 'name':
        a.name = (
          await input({
            ...at('name'),
            prompt: `Name of the pipeline identity: the ServiceAccount and RoleBinding in ${a.namespace} (an existing identity of this name is updated, its token replaced)`,
            value: a.name ?? suggestName(workspaceName()),
            validate: nameProblem,
          })
        ).trim();
        return;
      case 'role': {
        const r = await askRole({ kubeconfig: this.kubeconfig, namespace: a.namespace, name: a.name ?? '' }, at('role'));
        a.role = r.choice;
        a.roleCheck = r.check;
        return;
      }
      case 'token':
        a.token = await this.tokenStage();
        return;
      case 'export': {
        const e = await askExport({ context: a.context, namespace: a.namespace, name: a.name ?? '', state: this.deps.context, ...(a.export ? { current: a.export } : {}) }, at('export'));
        a.export = e.choice;
        this.credentials = e.credentials;
        return;
      }
      case 'confirm':
        return this.confirmStage();
    }
  }

  private async preflightStage(): Promise<void> {
    for (;;) {
      const ns = this.answers.namespace;
      type Action = 'continue' | 'namespace' | 'fix' | 'retry';
      let report: PreflightReport | undefined;
      const items = this.cachedPreflight(ns, 'request', true).then(
        (r): PickItem<Action>[] => {
          report = r;
          return [
            ...(r.ok
              ? [{ label: `$(arrow-right) Continue in namespace ${ns}`, description: `as ${r.user.username}`, value: 'continue' as const }]
              : [{ label: '$(copy) Show how to get the missing permissions', description: 'a Role and a command for your cluster admin', value: 'fix' as const }]),
            { label: '$(symbol-namespace) Use another namespace...', value: 'namespace' },
            separator(r.ok ? 'Pre-verification passed: nothing has been created' : `Pre-verification: ${r.missing.length} permission(s) missing, nothing can be created`),
            ...preflightLines(r).map((l) => ({ label: `$(${l.icon}) ${l.label}`, ...(l.detail ? { description: l.detail } : {}) })),
          ];
        },
        (err: unknown): PickItem<Action>[] => [
          { label: '$(refresh) Check again', value: 'retry' },
          { label: '$(symbol-namespace) Use another namespace...', value: 'namespace' },
          { label: `$(error) ${errorText(err).split('\n')[0]}`, description: `context ${this.kubeconfig.context}, ${this.kubeconfig.server}` },
        ],
      );
      const action = await pick<Action>({
        ...at('preflight', false),
        placeholder: `Pre-verification in context ${this.kubeconfig.context}, namespace ${ns}`,
        loading: `Checking who you are and what you may do in ${ns}...`,
        items,
      });
      if (action === 'continue') return;
      if (action === 'fix' && report?.fix) {
        this.deps.output.warn(`Missing permissions for creating pipeline identities in ${ns}:\n${report.fix}`);
        await this.deps.docs.open(`/preflight/${ns}-missing-permissions.md`, fixDocument(report), 'markdown', { beside: true });
      }
      if (action === 'namespace') {
        const chosen = await input({ ...at('preflight', true), prompt: 'Namespace of the pipeline identity', value: ns, validate: namespaceProblem }).catch((e: unknown) => {
          if (e instanceof FlowBack) return ns;
          throw e;
        });
        this.answers.namespace = chosen.trim();
      }
    }
  }

  private async tokenStage(): Promise<TokenChoice> {
    for (;;) {
      const kind = await pick<'request' | 'secret'>({
        ...at('token'),
        placeholder: 'Which kind of token should the pipeline use?',
        items: [
          { label: '$(watch) TokenRequest token (recommended)', description: 'expires; bound to a Secret, so deleting it revokes the token', value: 'request' },
          { label: '$(warning) Legacy token Secret (weaker)', description: 'never expires; only for tools that need a static token', value: 'secret' },
        ],
        active: (v) => v === (this.answers.token?.kind ?? 'request'),
      });
      if (kind === 'secret') return { kind: 'secret' };
      try {
        const previous = this.answers.token?.kind === 'request' ? formatDuration(this.answers.token.durationSeconds) : DEFAULT_LIFETIME;
        const text = await input({
          ...at('token', true),
          prompt: 'Token lifetime, e.g. 30d, 720h, 12h (at least 10m). The API server may shorten it; the result says so.',
          value: previous,
          validate: lifetimeProblem,
        });
        return { kind: 'request', durationSeconds: parseDuration(text) };
      } catch (e) {
        if (e instanceof FlowBack) continue;
        throw e;
      }
    }
  }

  private async confirmStage(): Promise<void> {
    const a = this.answers;
    type Action = 'create' | 'fix' | 'server' | 'preview';
    for (;;) {
      const plan = planFrom(a);
      const store = buildStore(a.export ?? { kind: 'vscode', key: '' }, this.credentials.credentials, this.deps);
      let report: PreflightReport | undefined;
      const items = this.cachedPreflight(a.namespace, plan.token.kind, plan.role.kind !== 'existing').then((r): PickItem<Action>[] => {
        report = r;
        const warnings = [
          // The core's advice names the CLI flag; here the URL is changed with the item above.
          ...serverWarnings(a.server ?? this.kubeconfig.server).map((w) => w.replace('(--server)', '("Change the API server URL" above)')),
          ...(plan.token.kind === 'secret' ? [LEGACY_TOKEN_WARNING] : []),
          ...(store.warning?.() ? [store.warning?.() ?? ''] : []),
          ...(a.export?.kind === 'file' ? fileWarnings(a.export.path) : []),
        ];
        return [
          ...(r.ok
            ? [{ label: '$(check) Create', description: `${a.namespace}/${a.name}`, value: 'create' as const }]
            : [
                { label: '$(copy) Show how to get the missing permissions', value: 'fix' as const },
                ...r.missing.map((m) => ({ label: `$(error) May NOT ${m.verb} ${m.subresource ? `${m.resource}/${m.subresource}` : m.resource}`, description: `to ${m.why}` })),
              ]),
          { label: '$(edit) Change the API server URL in the kubeconfig...', description: a.server ?? this.kubeconfig.server, value: 'server' },
          separator('What will happen'),
          { label: `$(person) ServiceAccount ${a.namespace}/${a.name}`, description: serviceAccountUsername(a.namespace, a.name ?? ''), detail: PREVIEW_DETAIL, value: 'preview' },
          { label: `$(shield) ${a.role ? describeRole(a.role) : ''}`, description: `RoleBinding ${a.name} -> Role ${a.roleCheck?.roleName ?? ''}`, detail: PREVIEW_DETAIL, value: 'preview' },
          { label: `$(watch) ${a.token ? describeToken(a.token) : ''}` },
          { label: `$(cloud-upload) ${a.export ? describeChoice(a.export) : ''}` },
          ...(warnings.length ? [separator<Action>('Warnings'), ...warnings.map((w) => ({ label: `$(warning) ${w.split('. ')[0]}`, detail: w }))] : []),
        ];
      });
      const action = await pick<Action>({ ...at('confirm'), placeholder: 'Create the pipeline identity? Nothing exists yet.', loading: 'Checking your permissions for these choices...', items });
      if (action === 'create') return;
      if (action === 'preview') await this.deps.docs.open(`/preview/${a.namespace}/${a.name}.yaml`, previewYaml(plan), 'yaml', { beside: true });
      if (action === 'fix' && report?.fix) await this.deps.docs.open(`/preflight/${a.namespace}-missing-permissions.md`, fixDocument(report), 'markdown', { beside: true });
      if (action === 'server') {
        try {
          const url = (await input({ ...at('confirm', true), prompt: 'API server URL the pipeline reaches (written into the exported kubeconfig; the CA stays the context\'s)', value: a.server ?? this.kubeconfig.server, validate: serverUrlProblem })).trim();
          if (url === this.kubeconfig.server) delete a.server;
          else a.server = url;
        } catch (e) {
          if (!(e instanceof FlowBack)) throw e;
        }
      }
    }
  }

  /** Creates everything (progress notification, cancellable: cancelling rolls back); then the summary. */
  async run(): Promise<void> {
    const a = this.answers;
    const choice = a.export;
    if (!choice) return;
    const allowInsecureServer = await confirmInsecureServer(this.kubeconfig, a.server);
    if (allowInsecureServer === undefined) return;
    const plan = { ...planFrom(a), allowInsecureServer };
    const redactor = redactorFor(this.credentials.credentials);
    const store = buildStore(choice, this.credentials.credentials, this.deps);
    const logger = channelLogger(this.deps.output);
    const reused = this.preflights.get(preflightKey(plan.namespace, plan.token.kind, plan.role.kind !== 'existing'));
    const given = reused ? await reused.catch(() => undefined) : undefined;
    this.deps.output.info(`Create Pipeline Identity: ${plan.namespace}/${plan.name}, ${a.role ? describeRole(a.role) : ''}, ${a.token ? describeToken(a.token) : ''}, export to ${describeChoice(choice)}`);
    let result;
    try {
      result = await window.withProgress(
        { location: ProgressLocation.Notification, title: `Creating pipeline identity ${plan.namespace}/${plan.name}`, cancellable: true },
        (progress, token) =>
          createIdentity(
            plan,
            {
              kubeconfig: this.kubeconfig,
              store,
              logger,
              records: recordingPlan(this.deps, this.kubeconfig, plan.namespace, plan.name, choice),
              // The UI's preflight was for the context's server; another URL is checked (and warned about) again.
              ...(given && !a.server ? { preflight: given } : {}),
              afterStep: (step) => {
                // Between steps only: what exists so far is rolled back by the core.
                if (token.isCancellationRequested) throw new IdentityError('Cancelled by you.', 'invalid', step);
              },
            },
            { step: (s, message) => progress.report({ message, increment: STEP_WEIGHT[s] ?? 0 }) },
          ),
      );
    } catch (err) {
      await showFailure(this.deps, `Creating pipeline identity ${plan.namespace}/${plan.name}`, err, redactor, this.credentials.storedKey);
      return;
    }
    const snippets = (() => {
      const input = snippetInput(choice, plan.namespace);
      return input ? pipelineSnippets(input) : undefined;
    })();
    this.deps.view?.refresh();
    await this.deps.docs.open(`/identities/${plan.namespace}/${plan.name}.md`, createSummary(result, snippets), 'markdown');
    const expiry = result.token.expiresAt ? ` Token expires ${result.token.expiresAt}${result.token.shortened ? ' (shortened by the server)' : ''}.` : ' Legacy token: never expires.';
    const pickAction = await window.showInformationMessage(
      `Pipeline RBAC: pipeline identity ${plan.namespace}/${plan.name} created; kubeconfig exported to ${result.export.location}.${expiry}`,
      ...(snippets ? ['Show Snippet'] : []),
      'Show in View',
    );
    if (pickAction === 'Show Snippet') await this.deps.docs.open(`/identities/${plan.namespace}/${plan.name}.md`, createSummary(result, snippets), 'markdown');
    if (pickAction === 'Show in View') await commands.executeCommand(`${IDENTITIES_VIEW_ID}.focus`);
  }
}

/** Git's own ignore rules decide when Git is there; else a file inside the workspace is worth a warning too. */
function fileWarnings(path: string): string[] {
  const git = gitWarningFor(path);
  if (git) return [git];
  return insideWorkspace(path) && !gitWorkTreeOf(dirname(path)) ? [`${path} is inside the workspace: keep it out of version control.`] : [];
}

function workspaceName(): string | undefined {
  const dir = workspaceDir();
  return dir ? dir.split(/[\\/]/).pop() : undefined;
}

function fixDocument(r: PreflightReport): string {
  // Names come from the kubeconfig and the cluster: escaped like every Markdown the extension renders.
  return [
    `# Missing permissions in namespace ${escapeMarkdown(r.namespace)}`,
    '',
    `${escapeMarkdown(`${r.user.username} (context ${r.context}) may not do everything creating a pipeline identity needs:`)}`,
    '',
    ...r.missing.map((m) => `- ${escapeMarkdown(`${m.verb} ${m.subresource ? `${m.resource}/${m.subresource}` : m.resource}: to ${m.why}`)}`),
    '',
    ...markdownFence('yaml', r.fix ?? ''),
    '',
  ].join('\n');
}

/** The command handler. */
export async function createIdentityCommand(deps: IdentityCommandDeps): Promise<void> {
  let loaded: LoadedKubeconfig;
  try {
    loaded = actingKubeconfig();
  } catch (err) {
    const msg = err instanceof KubeconfigError ? err.message : errorText(err);
    const choice = await window.showErrorMessage(`Pipeline RBAC: cannot create a pipeline identity: ${msg}.`, 'Open Settings');
    if (choice) await commands.executeCommand('workbench.action.openSettings', 'pipelineRbac.kubeconfig');
    return;
  }
  const ns = defaultNamespace(loaded);
  const flow = new CreateFlow(deps, loaded, ns);
  deps.output.info(`Create Pipeline Identity: context ${loaded.context}, namespace ${ns}`);
  if (!(await flow.ask())) {
    deps.output.info('Create Pipeline Identity cancelled; nothing was created.');
    return;
  }
  await flow.run();
}

/** The namespace setting (used for Roles without metadata.namespace), else the context's namespace. */
function defaultNamespace(loaded: LoadedKubeconfig): string {
  return readSettings().namespace || loaded.namespace;
}
