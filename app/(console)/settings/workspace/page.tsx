import type { Metadata } from "next";
import { Prefetched } from "@/components/prefetched";
import { WorkspaceSettingsPage } from "@/components/workspace-settings/workspace-settings-page";
import { pageCaller } from "@/lib/auth/page-auth";
import { hasRole } from "@/lib/auth/roles";
import { env } from "@/lib/env";
import { oauthUrls } from "@/lib/oauth/urls";
import { prefetch } from "@/lib/prefetch";

export const metadata: Metadata = { title: "Workspace settings · MCP Console" };

export default async function Page() {
  const caller = await pageCaller();
  if (!hasRole(caller.role, "admin")) {
    return (
      <section aria-labelledby="settings-heading" className="space-y-2">
        <h1 id="settings-heading" className="text-2xl font-semibold tracking-tight">Workspace settings</h1>
        <p className="text-sm text-muted">Owners and admins change {caller.workspaceName}&apos;s settings.</p>
      </section>
    );
  }
  const { issuer, mcp } = oauthUrls();
  return (
    <Prefetched queries={[await prefetch.workspaceSettings(caller)]}>
      <WorkspaceSettingsPage enterprise={env().ENTERPRISE_ENABLED} targets={{ audience: issuer, resource: mcp }} />
    </Prefetched>
  );
}
