import { route } from "@/lib/api/handler";
import { createInvitation } from "@/lib/workspaces/invitations";
import { createInvitationContract } from "./contract";

// POST /api/v1/invitations — a one-time link for an email and a role
export const POST = route(createInvitationContract, async ({ caller, body }) => ({ status: 201, body: await createInvitation(caller, body) }));
