import { NextResponse, type NextRequest } from "next/server";
import { problemResponse } from "@/lib/api/errors";
import { requestIdOf, toApiError } from "@/lib/api/handler";
import { confirmAddress } from "@/lib/auth/email-verification";
import { oauthUrls } from "@/lib/oauth/urls";

// POST /verify-email/{token}/confirm — the verification page's Verify button: only this verifies the
// address (opening the link doesn't, as mail scanners do); back to the page, which says how it went.
// No origin check: the signed token is the whole credential (no session is used), and a form posted
// from a page under `Referrer-Policy: no-referrer` carries `Origin: null`.
export async function POST(req: NextRequest, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  try {
    await confirmAddress(token);
    return NextResponse.redirect(new URL(`/verify-email/${encodeURIComponent(token)}`, oauthUrls().origin), 303);
  } catch (error) {
    return problemResponse(toApiError(error, req, requestIdOf(req)));
  }
}
