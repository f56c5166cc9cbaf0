import type { Metadata } from "next";
import { ConnectedAppsPage } from "@/components/connected-apps/connected-apps-page";
import { Prefetched } from "@/components/prefetched";
import { pageCaller } from "@/lib/auth/page-auth";
import { hasRole } from "@/lib/auth/roles";
import { prefetch } from "@/lib/prefetch";

export const metadata: Metadata = { title: "Connected apps · MCP Console" };

export default async function Page() {
  const caller = await pageCaller();
  return (
    <Prefetched queries={[await prefetch.connectedApps(caller)]}>
      <ConnectedAppsPage canSeeEveryone={hasRole(caller.role, "admin")} />
    </Prefetched>
  );
}
