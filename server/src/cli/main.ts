#!/usr/bin/env node
// Entry point of the CLI bundle (dist/cli.js). Dispatches to one module per command.
import { runCheck } from './check';
import { runAsWorkerIfAsked } from './parallelCheck';
import { UsageError } from './errors';
import { USAGE } from './usage';

declare const PIPELINE_RBAC_VERSION: string;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${PIPELINE_RBAC_VERSION}\n`);
    return 0;
  }
  switch (command) {
    case 'check':
      return runCheck(rest, { version: PIPELINE_RBAC_VERSION });
    case 'identity':
      return (await import('./identity')).runIdentity(rest);
    case 'identities':
      return (await import('./identities')).runIdentities(rest);
    default:
      throw new UsageError(`unknown command "${command}" (try --help)`);
  }
}

if (!runAsWorkerIfAsked()) main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) process.stderr.write(`pipeline-rbac: ${err.message}\n`);
    else process.stderr.write(`pipeline-rbac: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
