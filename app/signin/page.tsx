import { safeCallbackPath } from "@/lib/auth/callback-url";
import { ssoConfigured } from "@/lib/auth/options";
import { env } from "@/lib/env";
import { SignInForm } from "@/components/auth/sign-in-form";

export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  const { callbackUrl, error } = await searchParams;
  return (
    <main className="flex min-h-screen items-center justify-center bg-zinc-50 px-4 dark:bg-zinc-950">
      <div className="w-full max-w-sm rounded-xl border border-zinc-200 bg-white p-8 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
        <h1 className="text-xl font-semibold">Sign in to MCP Console</h1>
        <p className="mt-1 text-sm text-muted">Manage your workspace&apos;s MCP providers.</p>
        <SignInForm sso={ssoConfigured()} callbackUrl={safeCallbackPath(callbackUrl, env().NEXTAUTH_URL)} initialError={error} />
      </div>
    </main>
  );
}
