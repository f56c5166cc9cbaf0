import { NextResponse, type NextRequest } from "next/server";
import { sessionCaller } from "@/lib/auth/request-auth";
import { decideAuthorization } from "@/lib/oauth/interactions";
import { oauthUrls } from "@/lib/oauth/urls";

const problem = (status: number, detail: string) => NextResponse.json({ detail }, { status });

// The consent screen's answer. The console's session says who is answering; the authorization server's
// cookie (scoped to this path) says which authorization.
export async function POST(req: NextRequest, { params }: { params: Promise<{ uid: string }> }) {
  const { uid } = await params;
  // Only the consent page itself may answer (a cross-site page can't forge the Origin of a fetch).
  if (req.headers.get("origin") !== oauthUrls().origin) return problem(403, "Cross-origin request refused");
  const caller = await sessionCaller(req).catch(() => null);
  if (!caller) return problem(401, "Your session has ended; reload the page and sign in again.");
  const body: unknown = await req.json().catch(() => null);
  const decision = (body as { decision?: unknown } | null)?.decision;
  if (decision !== "allow" && decision !== "deny") return problem(400, 'decision is "allow" or "deny"');
  const next = await decideAuthorization(uid, req.headers.get("cookie"), caller, decision === "allow");
  if (!next) return problem(409, "This request has expired or was already answered; go back to the app and connect again.");
  return NextResponse.json({ redirect_to: next });
}
