import { route } from "@/lib/api/handler";
import { createInvitation, listInvitations } from "@/lib/workspaces/invitations";
import { listMembers } from "@/lib/workspaces/members";
import { addMemberContract, listMembersContract } from "./contract";

// GET /api/v1/members — members and pending invitations (owners and admins)
export const GET = route(listMembersContract, async ({ caller }) => {
  const [data, invitations] = await Promise.all([listMembers(caller), listInvitations(caller)]);
  return { status: 200, body: { data, invitations } };
});

// POST /api/v1/members — invite someone, with or without an account: nobody joins without accepting
export const POST = route(addMemberContract, async ({ caller, body }) => ({ status: 201, body: await createInvitation(caller, body) }));
