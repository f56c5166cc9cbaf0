import type { Metadata } from "next";
import { CenteredCard } from "@/components/ui/centered-card";
import Link from "next/link";
import { AcceptInvitation, SsoJoinButton } from "@/components/invite/accept-invitation";
import { currentMembership } from "@/lib/auth/page-auth";
import { pendingInvitation } from "@/lib/workspaces/invitations";

export const metadata: Metadata = { title: "Invitation · MCP Console" };
export const dynamic = "force-dynamic";

// Where an invitation link lands: set a password (no account yet), join (signed in as the invited
// email), or sign in first.
export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invitation = await pendingInvitation(token);
  if (!invitation) {
    return (
      <CenteredCard>
        <h1 className="text-xl font-semibold">This invitation doesn&apos;t work any more</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-300">It was already used, revoked, or is more than seven days old. Ask an admin of the workspace for a new link.</p>
      </CenteredCard>
    );
  }
  const caller = await currentMembership();
  const heading = (
    <h1 className="text-xl font-semibold">
      Join <span className="break-all">{invitation.workspaceName}</span> on MCP Console
    </h1>
  );
  const role = invitation.role === "member" ? "a member" : `an ${invitation.role === "admin" ? "admin" : "owner"}`;
  if (caller && caller.email !== invitation.email) {
    return (
      <CenteredCard>
        {heading}
        <p className="text-sm text-zinc-600 dark:text-zinc-300">
          This invitation is for <strong>{invitation.email}</strong>, and you are signed in as <strong>{caller.email}</strong>. Sign out, then open the link again.
        </p>
      </CenteredCard>
    );
  }
  if (caller) {
    return (
      <CenteredCard>
        {heading}
        <p className="text-sm text-zinc-600 dark:text-zinc-300">You are invited as {role}, as <strong>{invitation.email}</strong>.</p>
        <AcceptInvitation token={token} email={invitation.email} newAccount={false} />
      </CenteredCard>
    );
  }
  const signInLink = (label: string) => (
    <Link href={`/signin?callbackUrl=${encodeURIComponent(`/invite/${token}`)}`} className="underline">{label}</Link>
  );
  const { offer } = invitation;
  if (offer === "sso" || offer === "sso-or-sign-in") {
    return (
      <CenteredCard>
        {heading}
        <p className="text-sm text-zinc-600 dark:text-zinc-300">
          Sign in with your organisation&apos;s SSO as <strong>{invitation.email}</strong> — your identity provider confirms the address — then join as {role} here.
          {offer === "sso-or-sign-in" && <> If you have a password for the console instead, {signInLink("sign in")} and open this link again.</>}
        </p>
        <SsoJoinButton token={token} />
      </CenteredCard>
    );
  }
  if (offer === "take-over") {
    return (
      <CenteredCard>
        {heading}
        <p className="text-sm text-zinc-600 dark:text-zinc-300">
          Someone made an account for <strong>{invitation.email}</strong> without proving the address is theirs. This link was mailed to it, so you can take the account over:
          choose a name and a password. Whoever made it loses it, with everything it held, and you join as {role}.
          If you made it yourself, {signInLink("sign in")} instead and open this link again: you keep your workspaces.
        </p>
        <AcceptInvitation token={token} email={invitation.email} newAccount />
      </CenteredCard>
    );
  }
  if (offer === "sign-in") {
    return (
      <CenteredCard>
        {heading}
        <p className="text-sm text-zinc-600 dark:text-zinc-300">
          {invitation.email} already has an account. Sign in as {invitation.email} to join as {role}.
        </p>
        <Link href={`/signin?callbackUrl=${encodeURIComponent(`/invite/${token}`)}`} className="inline-block rounded-md bg-zinc-900 px-3.5 py-2 text-sm font-medium text-white dark:bg-zinc-100 dark:text-zinc-900">
          Sign in
        </Link>
      </CenteredCard>
    );
  }
  // "create", or "sign-in-or-create": the page doesn't say whether the address has an account.
  return (
    <CenteredCard>
      {heading}
      <p className="text-sm text-zinc-600 dark:text-zinc-300">
        You are invited as {role}, as <strong>{invitation.email}</strong>. Choose a name and a password for your account.
        {offer === "sign-in-or-create" && <> If you already have one, {signInLink("sign in")} instead and open this link again.</>}
      </p>
      <AcceptInvitation token={token} email={invitation.email} newAccount />
    </CenteredCard>
  );
}
