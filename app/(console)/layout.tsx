import { AppProviders } from "@/components/app-providers";
import { Prefetched } from "@/components/prefetched";
import { AppHeader } from "@/components/shell/app-header";
import { pageCaller } from "@/lib/auth/page-auth";
import { prefetch } from "@/lib/prefetch";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const caller = await pageCaller();
  return (
    <AppProviders>
      <Prefetched queries={[prefetch.features(caller)]}>
        <AppHeader workspaceName={caller.workspaceName} email={caller.email} role={caller.role} />
        <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
      </Prefetched>
    </AppProviders>
  );
}
