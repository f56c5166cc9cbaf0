import { route } from "@/lib/api/handler";
import { listReceivedInvitations } from "@/lib/workspaces/received-invitations";
import { listReceivedInvitationsContract } from "./contract";

// GET /api/v1/my-invitations — the caller's pending invitations (verified addresses only)
export const GET = route(listReceivedInvitationsContract, async ({ caller }) => ({ status: 200, body: await listReceivedInvitations(caller) }));
