import { z } from "zod";
import { defineContract } from "@/lib/api/contract";
import { connectedAppSchema } from "@/lib/oauth/connected-apps";

export const listConnectedAppsQuerySchema = z.strictObject({
  scope: z.enum(["mine", "workspace"], { error: 'scope is "mine" or "workspace"' }).default("mine"),
});

export const listConnectedAppsContract = defineContract({
  method: "GET",
  path: "/api/v1/connected-apps",
  operationId: "listConnectedApps",
  tag: "Connected apps",
  summary: "The MCP clients authorised with OAuth",
  description:
    'Each app a user authorised (one OAuth grant) to call the gateway as them, with its last use. `scope=mine` (the default) lists yours; `scope=workspace` lists everyone\'s and is for owners and admins.',
  auth: "caller",
  query: listConnectedAppsQuerySchema,
  responses: { 200: { description: "Connected apps, newest first", schema: z.object({ data: z.array(connectedAppSchema) }) } },
  errors: ["forbidden"],
});
