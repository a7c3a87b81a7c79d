// Names the warehouse dialect of SQL the PostgreSQL grammar rejected (Snowflake, BigQuery,
// MySQL), from tell-tale syntax, so an `unparsed` fact says why instead of just failing.

const SIGNS: Record<string, RegExp[]> = {
  snowflake: [
    /\blateral\s+flatten\s*\(/i,
    /\bflatten\s*\(\s*input\s*=>/i,
    /\biff\s*\(/i,
    /::\s*(variant|object|number|varchar|timestamp_ntz|timestamp_ltz|timestamp_tz)\b/i,
    /\b(zeroifnull|nullifzero|try_to_\w+|to_varchar|object_construct|parse_json|array_construct|div0|listagg)\s*\(/i,
    /\b(dateadd|datediff)\s*\(\s*'?(day|month|year|week|hour|minute|second|quarter)/i,
    /\w:\w+(::\w+)?/,
    /\bqualify\b/i,
    /\bilike\s+any\b/i,
    /\bwithin\s+group\b[\s\S]*\blistagg\b/i,
  ],
  bigquery: [
    /`[\w-]+\.[\w-]+(\.[\w-]+)?`/,
    /\b(safe_cast|safe_divide|safe\.\w+|format_date|format_timestamp|parse_date|parse_timestamp|date_diff|timestamp_diff|date_add|date_sub|generate_date_array|array_length|countif|logical_or|logical_and|farm_fingerprint|st_geogpoint)\s*\(/i,
    /\b(struct|array)\s*</i,
    /\*\s*except\s*\(/i,
    /\bunnest\s*\(/i,
    /\bqualify\b/i,
    /\b(int64|float64|bignumeric)\b/i,
  ],
  mysql: [/\b(substring_index|ifnull|group_concat|str_to_date|date_format|unix_timestamp)\s*\(/i, /`\w+`/, /\bauto_increment\b/i, /\bengine\s*=\s*innodb\b/i, /\bunsigned\b/i],
};

/** The most likely non-PostgreSQL dialect of `sql` (a path hint wins), or null. */
export function guessDialect(sql: string, filePath = ""): string | null {
  const p = filePath.toLowerCase();
  for (const d of ["snowflake", "bigquery", "mysql"]) if (p.includes(d)) return d;
  let best: string | null = null;
  let bestScore = 0;
  for (const [d, res] of Object.entries(SIGNS)) {
    let score = 0;
    for (const re of res) if (re.test(sql)) score++;
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

export const DIALECT_NAMES: Record<string, string> = { snowflake: "Snowflake", bigquery: "BigQuery", mysql: "MySQL" };
