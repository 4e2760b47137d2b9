/**
 * A connection URL fit for an error message or a log: its password (in the
 * user info or a `password` query parameter) replaced by `***`; a URL with
 * no password comes back as it was given.
 * @example redactUrl("postgres://app:pw@db:5432/jobs") // "postgres://app:***@db:5432/jobs"
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL: hide whatever sits between "user:" and the last "@" of the authority.
    return url.replace(/^([^:/?#]*:\/\/[^:@/?#]*:)[^/?#]*@/, "$1***@");
  }
  if (parsed.password === "" && !parsed.searchParams.has("password")) return url;
  if (parsed.password !== "") parsed.password = "***";
  if (parsed.searchParams.has("password")) parsed.searchParams.set("password", "***");
  // URL would percent-encode the stars in the query; keep them readable.
  return parsed.href.replace(/password=%2A%2A%2A/g, "password=***");
}
