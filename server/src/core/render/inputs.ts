/** What kind of deploy input a directory is: a Helm chart, a kustomize overlay, or plain manifests. */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type InputKind = 'chart' | 'kustomize' | 'plain';

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

export function inputKind(dir: string): InputKind {
  const isFile = (p: string) => existsSync(p) && statSync(p).isFile();
  if (isFile(join(dir, 'Chart.yaml'))) return 'chart';
  if (KUSTOMIZATION_FILES.some((f) => isFile(join(dir, f)))) return 'kustomize';
  return 'plain';
}
