import { NextResponse, type NextRequest } from "next/server";
import { ApiError, problemResponse, validationError } from "@/lib/api/errors";
import { assertSameOrigin, sessionCaller } from "@/lib/auth/request-auth";
import { log } from "@/lib/log";
import { acceptInvitation, acceptInvitationSchema } from "@/lib/workspaces/invitations";
import { switchWorkspace } from "@/lib/workspaces/workspaces";

// POST /invite/{token}/accept — the invitation page's answer: signed in as the invited email, join
// (and switch this session there); not signed in, create the account with the password given.
export async function POST(req: NextRequest, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  try {
    assertSameOrigin(req);
    const body = acceptInvitationSchema.safeParse(await req.json().catch(() => ({})));
    if (!body.success) throw validationError(body.error);
    const caller = await sessionCaller(req).catch(() => null);
    const accepted = await acceptInvitation(token, body.data, caller ? { userId: caller.userId, email: caller.email } : undefined);
    if (caller) await switchWorkspace(caller, accepted.workspaceId);
    return NextResponse.json({ workspace_id: accepted.workspaceId, created: accepted.created });
  } catch (error) {
    if (error instanceof ApiError) return problemResponse(error);
    log.error({ err: error }, "accepting an invitation failed");
    return problemResponse(new ApiError("internal_error", "Something went wrong; try the link again."));
  }
}
