/** What a caught value says: an Error's message, anything else as a string. The one place every layer asks this. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
