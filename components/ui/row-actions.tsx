"use client";
// A row's actions: buttons where there is room; on a phone, one menu (a row of buttons would push
// the table past the screen's edge and out of reach).
import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { Button } from "@/components/ui/button";

/** `phoneOnly`: offered in the phone menu only, for a control the row shows itself where there is room. */
export type RowAction = { label: string; onSelect: () => void; destructive?: boolean; phoneOnly?: boolean };

const destructiveText = "text-red-600 dark:text-red-400";

/** `subject` names the row for screen readers: "Edit Linear", "Actions for Linear". */
export function RowActions({ subject, actions }: { subject: string; actions: RowAction[] }) {
  return (
    <>
      <span className="hidden whitespace-nowrap sm:inline">
        {actions.filter((action) => !action.phoneOnly).map((action) => (
          <Button key={action.label} size="sm" variant="ghost" className={action.destructive ? destructiveText : ""} aria-label={`${action.label} ${subject}`} onClick={action.onSelect}>
            {action.label}
          </Button>
        ))}
      </span>
      {/* Not modal, and not portalled: the page stays readable around it, and the menu stays in its landmark. */}
      <DropdownMenu.Root modal={false}>
        <DropdownMenu.Trigger asChild>
          <Button size="sm" variant="ghost" className="text-base leading-none sm:hidden" aria-label={`Actions for ${subject}`}>
            ⋯
          </Button>
        </DropdownMenu.Trigger>
          <DropdownMenu.Content align="end" sideOffset={4} className="z-50 min-w-40 rounded-lg border border-zinc-200 bg-white p-1 text-sm shadow-lg dark:border-zinc-800 dark:bg-zinc-900">
            {actions.map((action) => (
              <DropdownMenu.Item
                key={action.label}
                onSelect={action.onSelect}
                className={`cursor-pointer rounded-md px-3 py-2.5 outline-none data-[highlighted]:bg-zinc-100 dark:data-[highlighted]:bg-zinc-800 ${action.destructive ? destructiveText : ""}`}
              >
                {action.label}
              </DropdownMenu.Item>
            ))}
          </DropdownMenu.Content>
      </DropdownMenu.Root>
    </>
  );
}
