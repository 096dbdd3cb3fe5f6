/**
 * Titled, numbered quick inputs for multi-step flows ("Create Pipeline Identity (2/6)") with a Back button,
 * a busy state while items load, and one rule: hiding the input (Escape, focus loss) cancels the whole flow.
 * Built on createQuickPick/createInputBox, which carry step counts (showQuickPick does not).
 */
import { Disposable, QuickInputButtons, QuickPickItemKind, window, type QuickInputButton, type QuickPickItem } from 'vscode';

/** Thrown when the user dismisses a step: the flow ends and nothing is created. */
export class FlowCancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

/** Thrown when the user presses Back: the caller goes to the previous step. */
export class FlowBack extends Error {
  constructor() {
    super('back');
  }
}

export interface StepPosition {
  title: string;
  step?: number;
  totalSteps?: number;
  /** Show the Back button (default: when step > 1). */
  back?: boolean;
}

export interface PickItem<T> extends QuickPickItem {
  /** Undefined for separators and information-only lines (picking one does nothing). */
  value?: T;
}

export interface PickOptions<T> extends StepPosition {
  placeholder: string;
  /** Items, or a promise of them (the input shows busy and `loading` meanwhile). */
  items: PickItem<T>[] | PromiseLike<PickItem<T>[]>;
  loading?: string;
  /** The item to highlight first. */
  active?: (value: T) => boolean;
  matchOnDescription?: boolean;
  matchOnDetail?: boolean;
  /** Extra title-bar buttons; pressing one resolves with its value. */
  buttons?: { button: QuickInputButton; value: T }[];
  /** Decides for the user once the items are loaded (e.g. a check that found nothing to show). */
  autoPick?: (items: PickItem<T>[]) => T | undefined;
}

export interface InputOptions extends StepPosition {
  prompt: string;
  value?: string;
  placeholder?: string;
  password?: boolean;
  /** Message shown under the box while the value is not acceptable. */
  validate?: (value: string) => string | undefined;
  buttons?: { button: QuickInputButton; value: string }[];
}

function showBack(p: StepPosition): boolean {
  return p.back ?? (p.step ?? 1) > 1;
}

/** One quick pick; resolves with the picked item's value. Throws FlowCancelled or FlowBack. */
export function pick<T>(o: PickOptions<T>): Promise<T> {
  const qp = window.createQuickPick<PickItem<T>>();
  qp.title = o.title;
  qp.step = o.step;
  qp.totalSteps = o.totalSteps;
  qp.placeholder = o.loading ?? o.placeholder;
  qp.ignoreFocusOut = true;
  qp.matchOnDescription = o.matchOnDescription ?? false;
  qp.matchOnDetail = o.matchOnDetail ?? false;
  qp.buttons = [...(showBack(o) ? [QuickInputButtons.Back] : []), ...(o.buttons ?? []).map((b) => b.button)];
  const subs: Disposable[] = [];
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
      qp.hide();
    };
    subs.push(
      qp.onDidTriggerButton((b) => {
        if (b === QuickInputButtons.Back) return finish(() => reject(new FlowBack()));
        const hit = o.buttons?.find((x) => x.button === b);
        if (hit) finish(() => resolve(hit.value));
      }),
      qp.onDidAccept(() => {
        const item = qp.selectedItems[0] ?? qp.activeItems[0];
        if (item && item.value !== undefined) finish(() => resolve(item.value as T));
      }),
      qp.onDidHide(() => finish(() => reject(new FlowCancelled()))),
    );
    /** Shows the loaded items, or decides for the user (autoPick). */
    const apply = (items: PickItem<T>[]): void => {
      if (settled) return;
      const auto = o.autoPick?.(items);
      if (auto !== undefined) return finish(() => resolve(auto));
      qp.items = items;
      const active = o.active ? items.find((i) => i.value !== undefined && o.active?.(i.value)) : items.find((i) => i.value !== undefined);
      if (active) qp.activeItems = [active];
      qp.placeholder = o.placeholder;
    };
    if (Array.isArray(o.items)) {
      // Items before show: the list renders once, so an early click lands on the row it aimed at.
      apply(o.items);
      if (!settled) qp.show();
      return;
    }
    qp.busy = true;
    qp.enabled = false;
    qp.show();
    Promise.resolve(o.items).then(
      (items) => {
        qp.busy = false;
        qp.enabled = true;
        apply(items);
      },
      (err: unknown) => finish(() => reject(err)),
    );
  }).finally(() => {
    for (const s of subs) s.dispose();
    qp.dispose();
  });
}

/** One input box; resolves with the accepted text (validated). Throws FlowCancelled or FlowBack. */
export function input(o: InputOptions): Promise<string> {
  const box = window.createInputBox();
  box.title = o.title;
  box.step = o.step;
  box.totalSteps = o.totalSteps;
  box.prompt = o.prompt;
  box.value = o.value ?? '';
  box.placeholder = o.placeholder;
  box.password = o.password ?? false;
  box.ignoreFocusOut = true;
  box.buttons = [...(showBack(o) ? [QuickInputButtons.Back] : []), ...(o.buttons ?? []).map((b) => b.button)];
  const subs: Disposable[] = [];
  return new Promise<string>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
      box.hide();
    };
    const check = (v: string) => {
      box.validationMessage = o.validate?.(v);
      return box.validationMessage === undefined;
    };
    subs.push(
      box.onDidChangeValue((v) => void check(v)),
      box.onDidTriggerButton((b) => {
        if (b === QuickInputButtons.Back) return finish(() => reject(new FlowBack()));
        const hit = o.buttons?.find((x) => x.button === b);
        if (hit) finish(() => resolve(hit.value));
      }),
      box.onDidAccept(() => {
        if (check(box.value)) finish(() => resolve(box.value));
      }),
      box.onDidHide(() => finish(() => reject(new FlowCancelled()))),
    );
    if (box.value) check(box.value);
    box.show();
  }).finally(() => {
    for (const s of subs) s.dispose();
    box.dispose();
  });
}

/** A separator line in a pick list. */
export function separator<T>(label: string): PickItem<T> {
  return { label, kind: QuickPickItemKind.Separator };
}
