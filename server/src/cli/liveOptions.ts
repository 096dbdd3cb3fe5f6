import type { AnalyzeOptions } from '../core/engine/analyze';
import { parseRbacText } from '../core/engine/yaml/parseCache';
import { LiveEnvironment } from '../core/live/liveEnvironment';
import { DEFAULT_SETTINGS } from '../core/shared/settings';
import { UsageError } from './errors';

export interface LiveFlags {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  namespace?: string | undefined;
}

/**
 * `check --live`: the same live environment the language server uses, filled once for the objects in these files.
 * A CLI has no "keep typing" to protect, so a cluster that cannot be reached is an error (exit 2), not a fallback.
 */
export async function liveAnalyzeOptions(files: { path: string; text: string }[], flags: LiveFlags): Promise<Partial<AnalyzeOptions>> {
  let failure: string | undefined;
  const env = new LiveEnvironment((s) => {
    if (s.state === 'unreachable' || s.state === 'unauthorized' || s.state === 'offline' || s.state === 'disabled') failure = s.message;
  });
  const settings = { ...DEFAULT_SETTINGS, kubeconfig: flags.kubeconfig ?? '', context: flags.context ?? '', namespace: flags.namespace ?? '', trusted: true };
  const objects = files.flatMap((f) => parseRbacText(f.text).objects);
  await env.refresh(settings, objects);
  // The status text is the editor's ("Offline checks only: ..."); the CLI does not fall back, so it says what failed.
  if (failure) throw new UsageError(`--live: ${failure.replace(/^Offline checks only: /, '')} (nothing was checked; without --live the checks run offline)`);
  return env.options(settings);
}
