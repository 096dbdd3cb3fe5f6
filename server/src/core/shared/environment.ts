import type { AnalyzeOptions } from '../engine/analyze';
import type { RbacObject } from '../engine/model';
import type { PipelineRbacSettings } from './settings';

/**
 * Where analysis options come from beyond the text: the API catalog, what the editing user holds,
 * roles known elsewhere. Offline it is the built-in catalog only; the live cluster layer fills the rest.
 * `options` must answer from caches at once (typing never waits for the network); `refresh` fetches
 * and resolves true when something changed, so the caller re-validates. Here, not in lsp/, because the live layer
 * implements it and the language server consumes it: neither imports the other's direction.
 */
export interface AnalysisEnvironment {
  options(settings: PipelineRbacSettings): AnalyzeOptions;
  /** Fetches what analysing these objects needs (held rules of their namespaces, discovery, roles). */
  refresh(settings: PipelineRbacSettings, objects: RbacObject[]): Promise<boolean>;
}
