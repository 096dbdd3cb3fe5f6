/**
 * The plain scalars of fastParse.ts's subset, resolved as the yaml package does under its YAML 1.1 schema, and the
 * way out of that subset: giveUp() throws Unsupported, which fastParseDocument turns into "use the full parser".
 */

/** Thrown inside the fast parser when the input leaves the supported subset; never escapes fastParse.ts. */
export class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported();
export function giveUp(): never {
  throw UNSUPPORTED;
}

const TRUE_WORDS = /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const FALSE_WORDS = /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
const NULL_WORDS = /^(?:[Nn]ull|NULL)$/;
const DECIMAL = /^(?:0|[1-9][0-9]{0,14})$/;

/** A plain scalar's value under the yaml package's YAML 1.1 schema, for the forms we accept; anything else gives up. */
export function resolvePlain(s: string): unknown {
  const c = s.charCodeAt(0);
  const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  if (letter) {
    if (s.length <= 5) {
      if (TRUE_WORDS.test(s)) return true;
      if (FALSE_WORDS.test(s)) return false;
      if (NULL_WORDS.test(s)) return null;
    }
    return s;
  }
  if (c === 0x2f /* / */) return s;
  if (DECIMAL.test(s)) return Number(s);
  return giveUp();
}
