import type { Metadata } from "next";
import { Prefetched } from "@/components/prefetched";
import { ProviderList } from "@/components/providers/provider-list";
import { pageCaller } from "@/lib/auth/page-auth";
import { prefetch } from "@/lib/prefetch";
import { signedFailure } from "@/lib/upstream-oauth/outcome";

export const metadata: Metadata = { title: "MCP providers · MCP Console" };

export default async function ProvidersPage({ searchParams }: { searchParams: Promise<{ connection?: string; message?: string; at?: string; sig?: string }> }) {
  const caller = await pageCaller();
  // A sign-in to a provider's server that couldn't be tied to a provider comes back here.
  const failure = signedFailure(await searchParams, { userId: caller.userId });
  return (
    <Prefetched queries={[await prefetch.providers(caller)]}>
      {failure && (
        <p role="alert" className="mb-4 rounded-lg border border-red-500/30 bg-red-50 p-3 text-sm text-red-800 dark:bg-red-950 dark:text-red-200">
          Not connected: {failure}
        </p>
      )}
      <ProviderList />
    </Prefetched>
  );
}
