// Where the browser may go after signing in: a path on the console's own origin, nothing else.
// Resolving against the origin (instead of checking a prefix) is what catches "/\evil.example",
// which browsers read as "//evil.example"; and a path that itself starts with two slashes (or a
// slash and a backslash) would be read as another host, so it is refused too.
export function safeCallbackPath(value: string | undefined | null, origin: string): string {
  if (!value) return "/";
  try {
    const url = new URL(value, origin);
    if (url.origin !== new URL(origin).origin) return "/";
    const path = `${url.pathname}${url.search}${url.hash}`;
    return /^\/[/\\]/.test(path) ? "/" : path;
  } catch {
    return "/";
  }
}
