"use client";
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Toaster } from "sonner";
import { ApiClientError } from "@/lib/client/api";

export function AppProviders({ children }: { children: React.ReactNode }) {
  const router = useRouter();
  const [client] = useState(() => {
    // The session ended (signed out elsewhere, removed): back to the sign-in page, then back here.
    const onError = (error: Error) => {
      if (error instanceof ApiClientError && error.status === 401) router.replace(`/signin?callbackUrl=${encodeURIComponent(window.location.pathname)}`);
    };
    // Data the server rendered into the page is as fresh as the API's: no refetch on mount.
    return new QueryClient({
      queryCache: new QueryCache({ onError }),
      mutationCache: new MutationCache({ onError }),
      defaultOptions: { queries: { staleTime: 5_000, retry: (count, error) => count < 2 && !(error instanceof ApiClientError && error.status < 500), refetchOnWindowFocus: false } },
    });
  });
  return (
    <QueryClientProvider client={client}>
      {children}
      <Toaster richColors closeButton position="bottom-right" theme="system" />
    </QueryClientProvider>
  );
}
