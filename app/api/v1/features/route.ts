import { json, withWorkspace } from "@/lib/api/handler";
import { env } from "@/lib/env";
import { IDENTITY_MODES } from "@/lib/identity/modes";
import { ssoConfigured } from "@/lib/auth/options";

// GET /api/v1/features — what this deployment offers, so the UI shows only that
export const GET = withWorkspace({}, async ({ caller }) =>
  json({
    enterprise_enabled: env().ENTERPRISE_ENABLED,
    identity_modes: env().ENTERPRISE_ENABLED ? IDENTITY_MODES : ["off"],
    sso_enabled: ssoConfigured(),
    role: caller.role,
    workspace: { id: caller.workspaceId, name: caller.workspaceName },
  }),
);
