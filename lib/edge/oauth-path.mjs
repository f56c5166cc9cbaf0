// Which requests the console's OAuth authorization server (lib/oauth/server.ts) answers: its paths
// under /oidc, and RFC 8414's path-inserted metadata aliases, which clients try first.

/**
 * The path relative to the /oidc mount (with its query), or undefined when not the authorization server's.
 * @param {string} pathname
 * @param {string} url the request's path and query
 * @returns {string | undefined}
 */
export function oauthPath(pathname, url) {
  if (pathname === "/oidc" || pathname.startsWith("/oidc/")) return url.slice("/oidc".length) || "/";
  const alias = /^\/\.well-known\/(oauth-authorization-server|openid-configuration)\/oidc$/.exec(pathname);
  return alias ? `/.well-known/${alias[1]}${url.slice(pathname.length)}` : undefined;
}
