"use client";
// A small accessible menu (button + menu; Escape, an outside click and focus leaving close it; focus
// moves in and back) — light enough for every page's first load.
import { useEffect, useRef, useState } from "react";
import { signOut } from "@/lib/client/sign-out";

export function UserMenu({ email, role }: { email: string; role: string }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLElement>("[role=menuitem]")?.focus();
    const onPointer = (event: PointerEvent) => {
      if (!menu.current?.contains(event.target as Node) && !button.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", onPointer);
    return () => { document.removeEventListener("pointerdown", onPointer); };
  }, [open]);

  function close() {
    setOpen(false);
    button.current?.focus();
  }

  return (
    <div
      className="relative"
      onKeyDown={(event) => {
        if (event.key === "Escape" && open) close();
      }}
      // Tabbing out of the menu closes it: an open menu nobody is in would cover the page.
      onBlur={(event) => {
        if (open && !event.currentTarget.contains(event.relatedTarget)) setOpen(false);
      }}
    >
      <button
        ref={button}
        type="button"
        aria-label="User menu"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => { setOpen(!open); }}
        className="flex h-8 w-8 items-center justify-center rounded-full bg-zinc-200 text-sm font-medium focus-visible:outline-2 focus-visible:outline-blue-500 dark:bg-zinc-700"
      >
        {email.slice(0, 1).toUpperCase()}
      </button>
      {open && (
        <div ref={menu} role="menu" aria-label="User" className="absolute right-0 z-50 mt-2 min-w-52 rounded-lg border border-zinc-200 bg-white p-1 text-sm shadow-lg dark:border-zinc-800 dark:bg-zinc-900">
          <div className="px-3 py-2">
            <div className="font-medium">{email}</div>
            <div className="text-xs capitalize text-muted">{role}</div>
          </div>
          <div role="separator" className="my-1 h-px bg-zinc-200 dark:bg-zinc-800" />
          <button
            type="button"
            role="menuitem"
            onClick={() => void signOut()}
            className="w-full cursor-pointer rounded-md px-3 py-2 text-left outline-none hover:bg-zinc-100 focus:bg-zinc-100 dark:hover:bg-zinc-800 dark:focus:bg-zinc-800"
          >
            Sign out
          </button>
        </div>
      )}
    </div>
  );
}
