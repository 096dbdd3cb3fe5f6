#!/usr/bin/env node
// Entry point of the CLI (dist/cli.js): dispatches each command to the bundle that holds it (bundles.ts).
import { loadCheck, loadCluster } from './bundles';
import { UsageError } from './errors';
import { USAGE } from './usage';
import { escapeLines } from '../core/shared/controlChars';
import { errorText } from '../core/engine/text/errorText';

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
      return loadCheck().runCheck(rest, { version: PIPELINE_RBAC_VERSION });
    case 'identity':
      return loadCluster().runIdentity(rest);
    case 'identities':
      return loadCluster().runIdentities(rest);
    case 'reach':
      return loadCluster().runReach(rest);
    default:
      throw new UsageError(`unknown command "${command}" (try --help)`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Usage errors and failures print the same way (a UsageError from another bundle is another class anyway).
    process.stderr.write(`pipeline-rbac: ${escapeLines(errorText(err))}\n`);
    process.exitCode = 2;
  },
);
