import type { Metadata } from "next";
import { Prefetched } from "@/components/prefetched";
import { ProviderList } from "@/components/providers/provider-list";
import { pageCaller } from "@/lib/auth/page-auth";
import { prefetch } from "@/lib/prefetch";

export const metadata: Metadata = { title: "MCP providers · MCP Console" };

export default async function ProvidersPage() {
  const caller = await pageCaller();
  return (
    <Prefetched queries={[await prefetch.providers(caller)]}>
      <ProviderList />
    </Prefetched>
  );
}
