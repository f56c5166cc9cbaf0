import { NextResponse, type NextRequest } from "next/server";
import { problemResponse, validationError } from "@/lib/api/errors";
import { readJsonBody, requestIdOf, toApiError } from "@/lib/api/handler";
import { assertSameOrigin, sessionCaller } from "@/lib/auth/request-auth";
import { acceptInvitation, acceptInvitationSchema } from "@/lib/workspaces/invitations";
import { switchWorkspace } from "@/lib/workspaces/workspaces";

// POST /invite/{token}/accept — the invitation page's answer: signed in as the invited email, join
// (and switch this session there); not signed in, create the account with the password given.
export async function POST(req: NextRequest, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const requestId = requestIdOf(req);
  try {
    assertSameOrigin(req);
    // Nobody is known yet: the body is read within the API's limit before anything else.
    const body = acceptInvitationSchema.safeParse(await readJsonBody(req));
    if (!body.success) throw validationError(body.error);
    const caller = await sessionCaller(req).catch(() => null);
    const accepted = await acceptInvitation(token, body.data, caller ? { userId: caller.userId, email: caller.email } : undefined);
    if (caller) await switchWorkspace(caller, accepted.workspaceId);
    return NextResponse.json({ workspace_id: accepted.workspaceId, created: accepted.created });
  } catch (error) {
    return problemResponse(toApiError(error, req, requestId));
  }
}
