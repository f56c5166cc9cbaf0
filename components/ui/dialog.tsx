"use client";
// Accessible modal (Radix): focus trap, Escape, focus back to the opener. `locked` keeps it open
// while something is saving, so Escape and outside clicks can't lose the user's work mid-request.
import * as RadixDialog from "@radix-ui/react-dialog";
import { useReturnFocus } from "@/components/ui/focus-return";

export function Dialog({
  open,
  onOpenChange,
  title,
  description,
  locked = false,
  isLocked,
  children,
  wide = false,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: string;
  locked?: boolean;
  /** Read at the moment of Escape or an outside click, for state that changes faster than a render. */
  isLocked?: () => boolean;
  children: React.ReactNode;
  wide?: boolean;
}) {
  const returnFocus = useReturnFocus(open);
  const blocked = () => locked || Boolean(isLocked?.());
  return (
    <RadixDialog.Root
      open={open}
      onOpenChange={(next) => {
        if (next || !blocked()) onOpenChange(next);
      }}
    >
      <RadixDialog.Portal>
        <RadixDialog.Overlay data-testid="dialog-overlay" className="fixed inset-0 z-40 bg-black/40 backdrop-blur-[1px]" />
        <RadixDialog.Content
          onEscapeKeyDown={(event) => {
            if (blocked()) event.preventDefault();
          }}
          onCloseAutoFocus={returnFocus}
          onPointerDownOutside={(event) => {
            if (blocked()) event.preventDefault();
          }}
          onInteractOutside={(event) => {
            if (blocked()) event.preventDefault();
          }}
          className={`fixed left-1/2 top-1/2 z-50 max-h-[90vh] w-[calc(100vw-2rem)] -translate-x-1/2 -translate-y-1/2 overflow-y-auto rounded-xl border border-zinc-200 bg-white p-6 shadow-xl dark:border-zinc-800 dark:bg-zinc-900 ${wide ? "max-w-2xl" : "max-w-md"}`}
        >
          <RadixDialog.Title className="text-lg font-semibold">{title}</RadixDialog.Title>
          {description ? (
            <RadixDialog.Description className="mt-1 text-sm text-muted">{description}</RadixDialog.Description>
          ) : (
            <RadixDialog.Description className="sr-only">{title}</RadixDialog.Description>
          )}
          <div className="mt-5">{children}</div>
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}
