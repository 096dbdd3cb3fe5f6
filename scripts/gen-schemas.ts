/** Writes schemas/*.schema.json from server/src/core/engine/schema/definitions.ts (run: node --import tsx scripts/gen-schemas.ts). */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SCHEMA_FILES, SCHEMAS } from '../server/src/core/engine/schema/definitions';

const dir = resolve(process.argv[2] ?? 'schemas');
for (const [kind, schema] of Object.entries(SCHEMAS)) {
  const file = join(dir, SCHEMA_FILES[kind as keyof typeof SCHEMAS]);
  writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote ${file}`);
}
