import { NextResponse, type NextRequest } from "next/server";
import { sessionCaller } from "@/lib/auth/request-auth";
import { z } from "zod";
import { log } from "@/lib/log";
import { accountIdOf } from "@/lib/oauth/accounts";
import { decideAuthorization } from "@/lib/oauth/interactions";
import { oauthUrls } from "@/lib/oauth/urls";

const answerSchema = z.object({ decision: z.enum(["allow", "deny"]), account: z.string().max(200) });

const problem = (status: number, detail: string) => NextResponse.json({ detail }, { status });

// The consent screen's answer. The console's session says who is answering; the authorization server's
// cookie (scoped to this path) says which authorization.
export async function POST(req: NextRequest, { params }: { params: Promise<{ uid: string }> }) {
  const { uid } = await params;
  // Only the consent page itself may answer (a cross-site page can't forge the Origin of a fetch).
  if (req.headers.get("origin") !== oauthUrls().origin) return problem(403, "Cross-origin request refused");
  const caller = await sessionCaller(req).catch(() => null);
  if (!caller) return problem(401, "Your session has ended; reload the page and sign in again.");
  const body = answerSchema.safeParse(await req.json().catch(() => null));
  if (!body.success) return problem(400, 'Send {"decision": "allow" | "deny", "account": …} as the consent page does');
  // The answer is for the account the page showed: if the browser has signed in as someone else
  // since (another tab), nobody consents by accident.
  if (body.data.account !== accountIdOf(caller.workspaceId, caller.userId)) {
    return problem(409, "You have signed in as someone else since this page was shown; reload it to answer as who you are now.");
  }
  const expired = "This request has expired or was already answered; go back to the app and connect again.";
  try {
    const next = await decideAuthorization(uid, req.headers.get("cookie"), caller, body.data.decision === "allow");
    return next ? NextResponse.json({ redirect_to: next }) : problem(409, expired);
  } catch (error) {
    // The interaction ended between reading and answering it (expired, answered in another tab).
    log.warn({ err: error, uid: uid.slice(0, 64) }, "a consent answer could not be applied");
    return problem(409, expired);
  }
}
