import { redirect } from "next/navigation";
import { AppProviders } from "@/components/app-providers";
import { AppHeader } from "@/components/shell/app-header";
import { currentMembership } from "@/lib/auth/page-auth";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const membership = await currentMembership();
  if (!membership) redirect("/signin");
  return (
    <AppProviders>
      <AppHeader workspaceName={membership.workspaceName} email={membership.email} role={membership.role} />
      <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
    </AppProviders>
  );
}
