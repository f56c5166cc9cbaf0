import type { Metadata } from "next";
import { Prefetched } from "@/components/prefetched";
import { ProviderList } from "@/components/providers/provider-list";
import { pageCaller } from "@/lib/auth/page-auth";
import { prefetch } from "@/lib/prefetch";

export const metadata: Metadata = { title: "MCP providers · MCP Console" };

export default async function ProvidersPage({ searchParams }: { searchParams: Promise<{ connection?: string; message?: string }> }) {
  const caller = await pageCaller();
  // A sign-in to a provider's server that couldn't be tied to a provider comes back here.
  const { connection, message } = await searchParams;
  return (
    <Prefetched queries={[await prefetch.providers(caller)]}>
      {connection === "failed" && (
        <p role="alert" className="mb-4 rounded-lg border border-red-500/30 bg-red-50 p-3 text-sm text-red-800 dark:bg-red-950 dark:text-red-200">
          Not connected: {message?.slice(0, 300) ?? "the sign-in didn't finish"}
        </p>
      )}
      <ProviderList />
    </Prefetched>
  );
}
