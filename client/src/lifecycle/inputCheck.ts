/**
 * Turns a core validator (which throws on a bad value) into what an InputBox's `validate` returns. Free of
 * vscode so the flow models that use it stay unit-testable.
 */
import { errorText } from '../../../server/src/core/engine';

/** The message of what `check` throws, or undefined when the value is fine. */
export function problemOf(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (e) {
    return errorText(e);
  }
}
