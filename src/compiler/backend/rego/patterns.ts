// Warden's glob and LIKE patterns as regular expressions in the subset of syntax on
// which RE2 (OPA's regex.match) and JavaScript (`u` flag) agree, so the translation can
// be property-tested here against the interpreter's matchers.

/** Characters with a meaning in RE2 or JS regex syntax outside classes (besides * and ?). */
const META = /[\\.+()|[\]{}^$]/g;

/** Escape regex metacharacters except `*` and `?` (as the Rego runtime code does with regex.replace). */
export function escapeRegexKeepWildcards(s: string): string {
  return s.replace(META, "\\$&");
}

const ANY_RUN = "[\\s\\S]*";
const ANY_ONE = "[\\s\\S]";
const RUN_NO_DOT = "[^.]*";
const ONE_NO_DOT = "[^.]";

/**
 * Glob → anchored regex source. Exactly the steps the generated Rego performs at run time
 * for classification patterns (split on `**`, escape, replace `*` and `?`, join).
 */
export function globToRegexSource(pattern: string): string {
  const parts = pattern.split("**").map((part) => escapeRegexKeepWildcards(part).replaceAll("*", RUN_NO_DOT).replaceAll("?", ONE_NO_DOT));
  return "^" + parts.join(ANY_RUN) + "$";
}

/** LIKE → anchored regex source: `%` any run, `_` one code point, `\x` a literal x. */
export function likeToRegexSource(pattern: string): string {
  const cps = Array.from(pattern);
  let out = "^";
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (c === "\\") out += escapeLiteral(i + 1 < cps.length ? cps[++i]! : "\\");
    else if (c === "%") out += ANY_RUN;
    else if (c === "_") out += ANY_ONE;
    else out += escapeLiteral(c);
  }
  return out + "$";
}

function escapeLiteral(c: string): string {
  return /[\\.+*?()|[\]{}^$]/.test(c) ? "\\" + c : c;
}
