// What this deployment offers the caller, so screens show only that: the body of GET /api/v1/features,
// also rendered into the first paint of every console page.
import "server-only";
import type { Caller } from "@/lib/auth/request-auth";
import { ssoConfigured } from "@/lib/auth/options";
import { env } from "@/lib/env";
import { IDENTITY_MODES } from "@/lib/identity/modes";

export function featuresFor(caller: Caller) {
  return {
    enterprise_enabled: env().ENTERPRISE_ENABLED,
    identity_modes: IDENTITY_MODES.filter((mode) => env().ENTERPRISE_ENABLED || mode === "off"),
    sso_enabled: ssoConfigured(),
    role: caller.role,
    workspace: { id: caller.workspaceId, name: caller.workspaceName },
  };
}
