/** A connection URL fit for an error message or a log: its password (in the user info or a `password` query parameter) replaced by `***`. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL: hide whatever sits between "user:" and "@" after the scheme.
    return url.replace(/^([^:/?#]*:\/\/[^:@/?#]*:)[^@/?#]*@/, "$1***@");
  }
  if (parsed.password !== "") parsed.password = "***";
  if (parsed.searchParams.has("password")) parsed.searchParams.set("password", "***");
  // URL would percent-encode the stars in the query; keep them readable.
  return parsed.href.replace(/password=%2A%2A%2A/g, "password=***");
}
