import type { Metadata } from "next";
import Link from "next/link";
import { CenteredCard } from "@/components/ui/centered-card";
import { verificationState } from "@/lib/auth/email-verification";

export const metadata: Metadata = { title: "Verify your address · MCP Console" };
export const dynamic = "force-dynamic";

const BUTTON = "inline-block rounded-md bg-zinc-900 px-3.5 py-2 text-sm font-medium text-white dark:bg-zinc-100 dark:text-zinc-900";

// Where a mailed verification link lands. Opening it verifies nothing (mail scanners open links):
// the Verify button POSTs to ./confirm, which comes back here to say how it went.
export default async function VerifyEmailPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const state = await verificationState(token);
  if (state === "pending") {
    return (
      <CenteredCard>
        <h1 className="text-xl font-semibold">Verify your address</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-300">
          Only if you asked for this link from the console: invitations sent to your address will then show there, to accept or decline.
        </p>
        <form method="post" action={`/verify-email/${encodeURIComponent(token)}/confirm`}>
          <button type="submit" className={BUTTON}>Verify</button>
        </form>
      </CenteredCard>
    );
  }
  const verified = state === "verified";
  return (
    <CenteredCard>
      <h1 className="text-xl font-semibold">{verified ? "Your address is verified" : "This link doesn't work"}</h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-300">
        {verified
          ? "Invitations sent to it now show in the console, to accept or decline."
          : "It is more than a day old, was changed on the way, or the account's address is another now. Ask for a new link from the console."}
      </p>
      <Link href="/" className={BUTTON}>
        Open the console
      </Link>
    </CenteredCard>
  );
}
