import { z } from "zod";
import { defineContract } from "@/lib/api/contract";
import { ROLES } from "@/lib/auth/roles";
import { IDENTITY_MODES } from "@/lib/identity/modes";

export const featuresSchema = z.object({
  enterprise_enabled: z.boolean(),
  identity_modes: z.array(z.enum(IDENTITY_MODES)).describe("The identity modes this deployment offers"),
  sso_enabled: z.boolean(),
  role: z.enum(ROLES).describe("Your role in this workspace"),
  workspace: z.object({ id: z.string(), name: z.string() }),
});

export const featuresContract = defineContract({
  method: "GET",
  path: "/api/v1/features",
  operationId: "getFeatures",
  tag: "Workspace",
  summary: "What this deployment offers you",
  auth: "caller",
  responses: { 200: { description: "Feature flags and your place in the workspace", schema: featuresSchema } },
  errors: [],
});
