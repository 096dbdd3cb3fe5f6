// The activation bundle registers a stub for every identity-stack command and its own commands itself: together
// they must be exactly the commands package.json contributes, or a command would be "not found" until the stack loads.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CORE_COMMANDS, IDENTITY_STACK_COMMANDS } from '../../client/src/stack/stackCommands';

test('the stack stubs and the core commands are exactly the contributed commands, each once', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { contributes: { commands: { command: string }[] } };
  const contributed = pkg.contributes.commands.map((c) => c.command).sort();
  const registered = [...IDENTITY_STACK_COMMANDS, ...CORE_COMMANDS].sort();
  assert.deepEqual(registered, contributed);
  assert.equal(new Set(registered).size, registered.length);
});
