// The bench's upstream MCP server (the test whoami server) in a process of its own, so that the
// load the bench generates and the server answering it don't share one event loop. Started with
// fork(); talks over IPC:
//   → { url }                                 once listening
//   ← "tokens"  → { tokens: { [sub]: authorization } }   the last Authorization seen per subject
//                                              since the previous ask (the recorded requests are dropped)
//   node --import tsx scripts/bench/upstream.ts <issuer>
import { decodeJwt } from "jose";
import { startWhoamiServer } from "../../e2e/support/whoami-server";

const [issuer] = process.argv.slice(2);
const whoami = await startWhoamiServer({ issuer });

function tokensBySubject() {
  const tokens: Record<string, string> = {};
  for (const authorization of whoami.authorizations) {
    const jwt = /^Bearer (.+)$/.exec(authorization ?? "")?.[1];
    if (!authorization || !jwt) continue;
    try {
      const { sub } = decodeJwt(jwt);
      if (sub) tokens[sub] = authorization;
    } catch {
      // not a JWT: not one the console forwarded
    }
  }
  whoami.reset();
  return tokens;
}

process.on("message", (message) => {
  if (message === "tokens") process.send?.({ tokens: tokensBySubject() });
});
process.on("disconnect", () => { void whoami.stop().then(() => process.exit(0)); });
process.send?.({ url: whoami.url });
