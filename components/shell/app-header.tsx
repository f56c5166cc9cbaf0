"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useRef, useState } from "react";
import { UserMenu } from "@/components/shell/user-menu";
import { WorkspaceSwitcher } from "@/components/shell/workspace-switcher";
import { hasRole } from "@/lib/auth/roles";

// `enterprise`: shown only where enterprise features are on (its only setting is enterprise-managed authorization).
const NAV: { href: string; label: string; admin?: boolean; enterprise?: boolean }[] = [
  { href: "/settings/providers", label: "MCP providers" },
  { href: "/activity", label: "Activity" },
  { href: "/approvals", label: "Approvals" },
  { href: "/settings/api-tokens", label: "API tokens" },
  { href: "/settings/connected-apps", label: "Connected apps" },
  { href: "/settings/members", label: "Members", admin: true },
  { href: "/settings/workspace", label: "Settings", admin: true, enterprise: true },
  { href: "/api-reference", label: "API reference" },
];

function NavLinks({ role, enterprise, className, linkClassName }: { role: string; enterprise: boolean; className: string; linkClassName: string }) {
  const pathname = usePathname();
  return (
    <ul className={className}>
      {NAV.filter((item) => (!item.admin || hasRole(role, "admin")) && (!item.enterprise || enterprise)).map((item) => {
        const active = pathname.startsWith(item.href);
        return (
          <li key={item.href}>
            <Link
              href={item.href}
              aria-current={active ? "page" : undefined}
              className={`${linkClassName} rounded-md px-3 text-sm ${active ? "bg-zinc-100 font-medium dark:bg-zinc-800" : "text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"}`}
            >
              {item.label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

export function AppHeader({ workspaceName, email, role, enterprise }: { workspaceName: string; email: string; role: string; enterprise: boolean }) {
  const pathname = usePathname();
  // The phone menu is open on the page it was opened on: following one of its links closes it.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const menuOpen = openOn === pathname;
  const setMenuOpen = (open: boolean) => { setOpenOn(open ? pathname : null); };
  const menuButton = useRef<HTMLButtonElement>(null);
  return (
    <header
      className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-950"
      // Escape closes the phone menu from its button or from inside it.
      onKeyDown={(event) => {
        if (event.key !== "Escape" || !menuOpen) return;
        setMenuOpen(false);
        menuButton.current?.focus();
      }}
    >
      <div className="mx-auto flex max-w-6xl items-center gap-3 px-4 py-3 sm:px-6 lg:gap-6">
        <Link href="/settings/providers" className="flex shrink-0 items-center gap-2 font-semibold">
          <span aria-hidden className="flex h-7 w-7 items-center justify-center rounded-md bg-zinc-900 text-xs text-white dark:bg-zinc-100 dark:text-zinc-900">
            M
          </span>
          <span className="sr-only sm:not-sr-only">MCP Console</span>
        </Link>
        <WorkspaceSwitcher current={workspaceName} />
        <nav aria-label="Main" className="hidden flex-1 lg:block">
          <NavLinks role={role} enterprise={enterprise} className="flex gap-1" linkClassName="block py-1.5" />
        </nav>
        <div className="ml-auto flex items-center gap-2 lg:ml-0">
          <button
            ref={menuButton}
            type="button"
            aria-expanded={menuOpen}
            aria-controls="phone-nav"
            onClick={() => { setMenuOpen(!menuOpen); }}
            className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm lg:hidden dark:border-zinc-700"
          >
            Menu
          </button>
          <UserMenu email={email} role={role} />
        </div>
      </div>
      {menuOpen && (
        <div
          id="phone-nav"
          className="border-t border-zinc-200 px-4 py-2 lg:hidden dark:border-zinc-800"
        >
          <nav aria-label="Main">
            <NavLinks role={role} enterprise={enterprise} className="flex flex-col gap-1" linkClassName="block py-2.5" />
          </nav>
        </div>
      )}
    </header>
  );
}
