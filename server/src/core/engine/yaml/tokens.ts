/**
 * The `yaml` package's token stream, guarded: nesting is refused while the text is read, before any deep tree is
 * built (2 MB of `[` otherwise costs the package seconds and gigabytes before a depth check on its result could
 * apply), and parse errors are created without stack traces (they are never shown, and capturing one per error made
 * a line of 100,000 stray quotes three times as slow).
 */
import { Composer, Lexer, Parser, type CST, type Document } from 'yaml';
import type { Span } from '../model';

/** Nesting deeper than this is not Kubernetes YAML (the converter refuses it too). */
export const DEFAULT_MAX_DEPTH = 500;

export class NestingLimitError extends Error {
  constructor(
    readonly maxDepth: number,
    readonly span: Span,
  ) {
    super(`YAML nested deeper than ${maxDepth} levels`);
  }
}

/**
 * The parser's tokens for `text`; throws NestingLimitError as soon as collections are open more than `maxDepth`
 * deep. The parser keeps one stack entry per open collection (and one for the document), so the check is exact and
 * costs nothing per token.
 */
export function* guardedTokens(text: string, maxDepth: number): Generator<CST.Token> {
  const parser = new Parser();
  for (const lexeme of new Lexer().lex(text)) {
    yield* parser.next(lexeme);
    // One entry is the document, one may be a scalar or key being read.
    if (parser.stack.length > maxDepth + 2) {
      const at = Math.min(parser.offset, text.length);
      throw new NestingLimitError(maxDepth, { start: Math.max(0, at - 1), end: at });
    }
  }
  yield* parser.end();
}

/**
 * The documents of `text` as the yaml package composes them (YAML 1.1 like kubectl), nesting guarded: throws
 * NestingLimitError.
 */
export function composeDocuments(text: string, maxDepth = DEFAULT_MAX_DEPTH): Document.Parsed[] {
  const composer = new Composer({ version: '1.1', prettyErrors: false });
  return withoutStackTraces(() => [...composer.compose(guardedTokens(text, maxDepth), false, text.length)]);
}

/** Runs `f` with Error stack capture off (restored after): the yaml package makes an Error per problem it finds. */
export function withoutStackTraces<T>(f: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return f();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
