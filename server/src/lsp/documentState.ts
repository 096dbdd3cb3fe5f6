import type { AnalysisResult } from '../core/engine/analyze';

/** The latest analysis of each open document, so hover, completion and code actions reuse it. */
export class DocumentState {
  private readonly results = new Map<string, { version: number; result: AnalysisResult }>();

  set(uri: string, version: number, result: AnalysisResult): void {
    this.results.set(uri, { version, result });
  }

  /** The analysis of exactly this version, if it is done. */
  get(uri: string, version?: number): AnalysisResult | undefined {
    const entry = this.results.get(uri);
    if (!entry || (version !== undefined && entry.version !== version)) return undefined;
    return entry.result;
  }

  delete(uri: string): void {
    this.results.delete(uri);
  }
}
