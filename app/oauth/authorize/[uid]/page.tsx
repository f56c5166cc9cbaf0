import type { Metadata } from "next";
import { CenteredCard } from "@/components/ui/centered-card";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { ConsentButtons } from "@/components/oauth/consent-buttons";
import { currentMembership } from "@/lib/auth/page-auth";
import { accountIdOf } from "@/lib/oauth/accounts";
import { pendingAuthorization } from "@/lib/oauth/interactions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Authorise an app · MCP Console" };

// The consent screen an MCP client's authorization lands on (oidc-provider's interaction).
export default async function AuthorizePage({ params }: { params: Promise<{ uid: string }> }) {
  const { uid } = await params;
  const caller = await currentMembership();
  if (!caller) redirect(`/signin?callbackUrl=${encodeURIComponent(`/oauth/authorize/${uid}`)}`);
  const pending = await pendingAuthorization(uid, (await headers()).get("cookie"));
  if (!pending) {
    return (
      <CenteredCard>
        <h1 className="text-xl font-semibold">This request has expired</h1>
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-300">
          The authorization was finished, took longer than 10 minutes, or was started in another browser. Go back to the app and connect again.
        </p>
      </CenteredCard>
    );
  }
  const everyServer = pending.resources.length === 0 || pending.resources.includes("/");
  return (
    <CenteredCard>
      <h1 className="text-xl font-semibold">
        Allow <span className="break-all">{pending.clientName}</span> to use MCP Console as you?
      </h1>
      <dl className="mt-5 space-y-3 text-sm">
        <div>
          <dt className="text-muted">App</dt>
          <dd className="break-all">
            {pending.clientName}
            <span className="block text-xs text-muted">
              {pending.metadataDocument ? `Identified by ${pending.clientId}` : "Registered itself with this console; its name is its own claim"}
            </span>
          </dd>
        </div>
        <div>
          <dt className="text-muted">Sends the authorization to</dt>
          <dd className="break-all">
            <span className="font-mono">{pending.redirectHost}</span>
            {pending.redirectHost.endsWith(":") && <span className="block text-xs text-muted">An app on your device that handles this address</span>}
          </dd>
        </div>
        <div>
          <dt className="text-muted">Workspace</dt>
          <dd>
            {caller.workspaceName} <span className="text-muted">· signed in as {caller.email}</span>
          </dd>
        </div>
        <div>
          <dt className="text-muted">It can</dt>
          <dd>
            {everyServer
              ? "List and call the tools of every MCP server in this workspace"
              : `List and call the tools of ${pending.resources.map((path) => path.slice(1)).join(", ")}`}
            , as you and with your role, until you revoke it under Connected apps.
          </dd>
        </div>
      </dl>
      <ConsentButtons uid={uid} account={accountIdOf(caller.workspaceId, caller.userId)} />
    </CenteredCard>
  );
}
