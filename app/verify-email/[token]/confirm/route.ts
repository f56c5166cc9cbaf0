import { NextResponse, type NextRequest } from "next/server";
import { problemResponse } from "@/lib/api/errors";
import { requestIdOf, toApiError } from "@/lib/api/handler";
import { confirmAddress } from "@/lib/auth/email-verification";
import { assertSameOrigin } from "@/lib/auth/request-auth";
import { oauthUrls } from "@/lib/oauth/urls";

// POST /verify-email/{token}/confirm — the verification page's Verify button: only this verifies the
// address (opening the link doesn't, as mail scanners do); back to the page, which says how it went.
export async function POST(req: NextRequest, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  try {
    assertSameOrigin(req);
    await confirmAddress(token);
    return NextResponse.redirect(new URL(`/verify-email/${encodeURIComponent(token)}`, oauthUrls().origin), 303);
  } catch (error) {
    return problemResponse(toApiError(error, req, requestIdOf(req)));
  }
}
