// How long a rotated token lives: what the user asked for (`--duration`, the VS Code input), else what this machine
// recorded at the last create or rotate, else 30 days; always within 10 minutes and MAX_TOKEN_SECONDS (365 days).
// The ServiceAccount's token-duration annotation is cluster text anyone who may edit ServiceAccounts can rewrite:
// it is quoted as a hint when it differs, never used.
import type { ExportRecord } from './exportRecords';
import { checkTokenSeconds, DEFAULT_TOKEN_SECONDS, formatDuration, MAX_TOKEN_SECONDS, MIN_TOKEN_SECONDS } from './names';
import { ANNOTATIONS } from './types';

export interface LifetimeChoice {
  readonly seconds: number;
  readonly source: 'asked' | 'record' | 'default';
  /** "30d (recorded on this machine at the last create or rotate, 2026-...)", shown before the token is minted. */
  readonly describe: string;
  readonly warnings: readonly string[];
}

export function rotationLifetime(input: {
  readonly asked?: number;
  readonly record?: ExportRecord;
  readonly annotations?: Readonly<Record<string, string>>;
}): LifetimeChoice {
  const warnings: string[] = [];
  let choice: Omit<LifetimeChoice, 'warnings'>;
  if (input.asked !== undefined) {
    checkTokenSeconds(input.asked, 'the requested token lifetime');
    choice = { seconds: input.asked, source: 'asked', describe: `${formatDuration(input.asked)} (as asked)` };
  } else {
    const recorded = input.record?.tokenSeconds;
    if (recorded !== undefined && validLifetime(recorded)) {
      choice = { seconds: recorded, source: 'record', describe: `${formatDuration(recorded)} (what this machine recorded at the last create or rotate, ${input.record?.at})` };
    } else {
      if (recorded !== undefined) warnings.push(`This machine's record asks for a token lifetime of ${recorded} s, outside 10m..365d: not used.`);
      choice = { seconds: DEFAULT_TOKEN_SECONDS, source: 'default', describe: `${formatDuration(DEFAULT_TOKEN_SECONDS)} (the default; this machine has no recorded lifetime)` };
    }
  }
  const claimed = input.annotations?.[ANNOTATIONS.tokenDuration];
  if (claimed !== undefined && claimed !== String(choice.seconds)) {
    warnings.push(`The ServiceAccount's token-duration annotation says ${JSON.stringify(claimed.slice(0, 40))} s: cluster text, not used (the new token lasts ${formatDuration(choice.seconds)}).`);
  }
  return { ...choice, warnings };
}

function validLifetime(n: number): boolean {
  return Number.isSafeInteger(n) && n >= MIN_TOKEN_SECONDS && n <= MAX_TOKEN_SECONDS;
}
