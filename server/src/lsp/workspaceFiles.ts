import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { glob } from 'tinyglobby';

const MAX_FILES = 2000;
const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** Reads the workspace files matching globs (bounded in number and size), handing each to `visit`. */
export async function forEachWorkspaceFile(folders: string[], globs: string[], visit: (text: string, relPath: string) => void): Promise<void> {
  for (const folder of folders) {
    const files = (await glob(globs, { cwd: folder, absolute: true, ignore: ['**/node_modules/**', '**/.git/**'] })).slice(0, MAX_FILES);
    for (const file of files) {
      const text = await readFile(file, 'utf8').catch(() => '');
      if (text.length <= MAX_FILE_BYTES) visit(text, relative(folder, file));
    }
  }
}
