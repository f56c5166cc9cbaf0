"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { UserMenu } from "@/components/shell/user-menu";
import { WorkspaceSwitcher } from "@/components/shell/workspace-switcher";
import { hasRole } from "@/lib/auth/roles";

const NAV: { href: string; label: string; admin?: boolean }[] = [
  { href: "/settings/providers", label: "MCP providers" },
  { href: "/activity", label: "Activity" },
  { href: "/settings/api-tokens", label: "API tokens" },
  { href: "/settings/connected-apps", label: "Connected apps" },
  { href: "/settings/members", label: "Members", admin: true },
  { href: "/api-reference", label: "API reference" },
];

export function AppHeader({ workspaceName, email, role }: { workspaceName: string; email: string; role: string }) {
  const pathname = usePathname();
  return (
    <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-950">
      <div className="mx-auto flex max-w-6xl items-center gap-6 px-6 py-3">
        <Link href="/settings/providers" className="flex items-center gap-2 font-semibold">
          <span aria-hidden className="flex h-7 w-7 items-center justify-center rounded-md bg-zinc-900 text-xs text-white dark:bg-zinc-100 dark:text-zinc-900">
            M
          </span>
          <span>MCP Console</span>
        </Link>
        <WorkspaceSwitcher current={workspaceName} />
        <nav aria-label="Main" className="flex flex-1 gap-1">
          {NAV.filter((item) => !item.admin || hasRole(role, "admin")).map((item) => {
            const active = pathname.startsWith(item.href);
            return (
              <Link
                key={item.href}
                href={item.href}
                aria-current={active ? "page" : undefined}
                className={`rounded-md px-3 py-1.5 text-sm ${active ? "bg-zinc-100 font-medium dark:bg-zinc-800" : "text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"}`}
              >
                {item.label}
              </Link>
            );
          })}
        </nav>
        <UserMenu email={email} role={role} />
      </div>
    </header>
  );
}
