// Server component: seeds the page's TanStack Query cache with what the server already read.
import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import type { Prefetch } from "@/lib/prefetch";

export function Prefetched({ queries, children }: { queries: Prefetch[]; children: React.ReactNode }) {
  const client = new QueryClient();
  for (const { queryKey, data } of queries) client.setQueryData(queryKey, data);
  return <HydrationBoundary state={dehydrate(client)}>{children}</HydrationBoundary>;
}
