import { route } from "@/lib/api/handler";
import { sendAddressVerification } from "@/lib/auth/email-verification";
import { sendAddressVerificationContract } from "./contract";

// POST /api/v1/account/email-verification — mail the caller a link that verifies their address
export const POST = route(sendAddressVerificationContract, async ({ caller }) => ({ status: 200, body: await sendAddressVerification(caller) }));
