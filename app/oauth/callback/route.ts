import { NextResponse, type NextRequest } from "next/server";
import { ApiError } from "@/lib/api/errors";
import { sessionCaller } from "@/lib/auth/request-auth";
import { log } from "@/lib/log";
import { oauthUrls } from "@/lib/oauth/urls";
import { abandonConnection, BROWSER_COOKIE, finishConnection } from "@/lib/upstream-oauth/connections";
import { outcomeQuery } from "@/lib/upstream-oauth/outcome";

const param = (req: NextRequest, name: string) => req.nextUrl.searchParams.get(name)?.slice(0, 4096) ?? undefined;

// GET /oauth/callback — a provider's authorization server sends the browser back here with a code.
// The console's session and the browser's cookie say who is back; the connection is theirs only if
// they started it, in this browser. The state is spent on the first answer, whoever brings it.
export async function GET(req: NextRequest) {
  const { origin } = oauthUrls();
  const back = (path: string) => NextResponse.redirect(new URL(path, origin), 303);
  const caller = await sessionCaller(req).catch(() => null);
  if (!caller) {
    await abandonConnection(param(req, "state"));
    return back(`/signin?callbackUrl=${encodeURIComponent("/settings/providers")}`);
  }
  try {
    const query = { state: param(req, "state"), code: param(req, "code"), iss: param(req, "iss"), error: param(req, "error") };
    const done = await finishConnection(query, caller, req.cookies.get(BROWSER_COOKIE)?.value);
    return back(`/settings/providers/${done.providerId}?${outcomeQuery(done.error, { userId: caller.userId, providerId: done.providerId })}`);
  } catch (error) {
    if (!(error instanceof ApiError)) log.error({ err: error }, "finishing an OAuth connection failed");
    const message = error instanceof ApiError ? error.detail : "Something went wrong finishing the connection; connect again.";
    return back(`/settings/providers?${outcomeQuery(message, { userId: caller.userId })}`);
  }
}
