// Validation of the two pattern languages (see the IR header for their meaning):
// globs for `matches` and `classify`, SQL LIKE for `like`. Returns a problem or undefined.

export function globProblem(p: string): string | undefined {
  if (p === "") return "an empty pattern matches only the empty string";
  if (/\*{3,}/.test(p)) return "`***` is not a glob operator: use `*` within a name part or `**` across dots";
  return undefined;
}

/** A classification pattern: a glob over `[schema.]table.column`, one to three parts. */
export function classificationPatternProblem(p: string): string | undefined {
  const g = globProblem(p);
  if (g) return g;
  const parts = p.split(".");
  if (parts.length > 3 && !p.includes("**")) return "a classification pattern has at most three parts: `[schema.]table.column`";
  if (parts.some((x) => x === "")) return "a pattern part between dots is empty";
  return undefined;
}

export function likeProblem(p: string): string | undefined {
  let backslashes = 0;
  for (let i = p.length - 1; i >= 0 && p[i] === "\\"; i--) backslashes++;
  if (backslashes % 2 === 1) return "the pattern ends with an escape `\\` that escapes nothing";
  return undefined;
}
