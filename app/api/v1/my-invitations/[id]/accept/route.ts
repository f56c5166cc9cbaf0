import { route } from "@/lib/api/handler";
import { acceptReceivedInvitation } from "@/lib/workspaces/received-invitations";
import { acceptReceivedInvitationContract } from "./contract";

// POST /api/v1/my-invitations/{id}/accept — join its workspace, signed in
export const POST = route(acceptReceivedInvitationContract, async ({ caller, params }) => ({ status: 200, body: await acceptReceivedInvitation(caller, params.id) }));
