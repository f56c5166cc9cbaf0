import { defineContract } from "@/lib/api/contract";
import { addressVerificationSchema } from "@/lib/auth/email-verification";

export const sendAddressVerificationContract = defineContract({
  method: "POST",
  path: "/api/v1/account/email-verification",
  operationId: "sendAddressVerification",
  tag: "Workspaces",
  summary: "Mail yourself a link that verifies your address",
  description:
    "Needs SMTP (409 without). Following the link marks your account's address verified, so invitations to it show in the console. " +
    "Nothing is sent when the address is already verified (sent_to is null). Five an hour.",
  auth: "caller",
  responses: { 200: { description: "Mailed (or already verified)", schema: addressVerificationSchema } },
  errors: ["conflict", "rate_limited"],
});
