import { AppProviders } from "@/components/app-providers";
import { Prefetched } from "@/components/prefetched";
import { PendingApprovals } from "@/components/approvals/pending-approvals";
import { AppHeader } from "@/components/shell/app-header";
import { ReceivedInvitations } from "@/components/shell/received-invitations";
import { pageCaller } from "@/lib/auth/page-auth";
import { env } from "@/lib/env";
import { prefetch } from "@/lib/prefetch";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const caller = await pageCaller();
  return (
    <AppProviders>
      <Prefetched queries={[prefetch.features(caller)]}>
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-3 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:text-sm focus:shadow dark:focus:bg-zinc-900">
          Skip to content
        </a>
        <AppHeader workspaceName={caller.workspaceName} email={caller.email} role={caller.role} enterprise={env().ENTERPRISE_ENABLED} />
        <main id="main" tabIndex={-1} className="mx-auto max-w-6xl px-4 py-6 outline-none sm:px-6 sm:py-8">
          <PendingApprovals />
          <ReceivedInvitations />
          {children}
        </main>
      </Prefetched>
    </AppProviders>
  );
}
