/** RFC 6901 escaping of one JSON pointer token, as RbacObject.pointerSpans keys use it. */
export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
