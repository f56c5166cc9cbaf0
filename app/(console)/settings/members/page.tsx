import type { Metadata } from "next";
import { MembersPage } from "@/components/members/members-page";
import { AddressVerification } from "@/components/shell/received-invitations";
import { pageCaller } from "@/lib/auth/page-auth";
import { hasRole } from "@/lib/auth/roles";

export const metadata: Metadata = { title: "Members · MCP Console" };

export default async function Page() {
  const caller = await pageCaller();
  if (!hasRole(caller.role, "admin")) {
    return (
      <section aria-labelledby="members-heading" className="space-y-2">
        <h1 id="members-heading" className="text-2xl font-semibold tracking-tight">Members</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          You are a member of {caller.workspaceName}. Owners and admins manage who is in it; ask one to invite someone or change a role.
        </p>
        <AddressVerification email={caller.email} />
      </section>
    );
  }
  return <MembersPage myUserId={caller.userId} myRole={caller.role} myEmail={caller.email} />;
}
