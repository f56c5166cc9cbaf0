"use client";
// Accessible modal (Radix): focus trap, Escape, focus back to the opener. `locked` keeps it open
// while something is saving, so Escape and outside clicks can't lose the user's work mid-request;
// `isDirty` makes them ask before they throw away what the user typed.
import * as RadixDialog from "@radix-ui/react-dialog";
import { useEffect, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { Button } from "@/components/ui/button";
import { useReturnFocus } from "@/components/ui/focus-return";

export function Dialog({
  open,
  onOpenChange,
  title,
  description,
  locked = false,
  isLocked,
  isDirty,
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
  /** Whether closing now would lose typed input: Escape and outside clicks then ask first. */
  isDirty?: () => boolean;
  children: React.ReactNode;
  wide?: boolean;
}) {
  const returnFocus = useReturnFocus(open);
  const blocked = () => locked || Boolean(isLocked?.());
  const [asking, setAsking] = useState(false);
  // A dialog closed some other way (its own Cancel, a save) and opened again asks nothing.
  const [wasOpen, setWasOpen] = useState(open);
  if (wasOpen !== open) {
    setWasOpen(open);
    setAsking(false);
  }
  // Never while saving: the work is on its way, and Discard can't take it back.
  const askingDiscard = asking && !locked;
  const focusBeforeAsking = useRef<HTMLElement | null>(null);
  const keepEditing = () => {
    // The form is inert while asking: it must be live again before it can take focus.
    flushSync(() => { setAsking(false); });
    focusBeforeAsking.current?.focus();
  };
  return (
    <RadixDialog.Root
      open={open}
      onOpenChange={(next) => {
        if (next) onOpenChange(true);
        else if (blocked() || askingDiscard) return;
        else if (isDirty?.()) {
          focusBeforeAsking.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
          setAsking(true);
        } else onOpenChange(false);
      }}
    >
      <RadixDialog.Portal>
        <RadixDialog.Overlay data-testid="dialog-overlay" className="fixed inset-0 z-40 bg-black/40 backdrop-blur-[1px]" />
        <RadixDialog.Content
          onEscapeKeyDown={(event) => {
            if (blocked()) event.preventDefault();
            else if (askingDiscard) {
              // Escape answers the question the safe way.
              event.preventDefault();
              keepEditing();
            }
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
          {/* While the question is up, the form behind it can't be reached (its Save is under the question). */}
          <div className="mt-5" inert={askingDiscard}>{children}</div>
          {askingDiscard && (
            <DiscardQuestion
              onKeepEditing={keepEditing}
              onDiscard={() => {
                if (blocked()) return;
                setAsking(false);
                onOpenChange(false);
              }}
            />
          )}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

/** "Discard your changes?", with the safe answer focused. */
function DiscardQuestion({ onKeepEditing, onDiscard }: { onKeepEditing: () => void; onDiscard: () => void }) {
  const keep = useRef<HTMLButtonElement>(null);
  const discard = useRef<HTMLButtonElement>(null);
  // After the event that raised it: a click outside moves focus (to the page) once its handlers have run.
  useEffect(() => {
    const timer = setTimeout(() => { keep.current?.focus(); }, 0);
    return () => { clearTimeout(timer); };
  }, []);
  return (
    <div
      role="alertdialog"
      aria-labelledby="discard-question"
      // Tab goes round the two answers (the form behind is inert, and Radix's own loop would stop on it).
      onKeyDown={(event) => {
        if (event.key !== "Tab") return;
        const [from, to] = event.shiftKey ? [keep.current, discard.current] : [discard.current, keep.current];
        if (document.activeElement !== from) return;
        event.preventDefault();
        to?.focus();
      }}
      className="sticky bottom-0 z-20 -mx-6 -mb-6 mt-4 flex flex-wrap items-center justify-between gap-3 border-t border-amber-500/40 bg-amber-50 px-6 py-4 dark:bg-amber-950">
      <p id="discard-question" className="text-sm font-medium text-amber-950 dark:text-amber-100">Discard your changes?</p>
      <div className="flex gap-2">
        <Button ref={keep} autoFocus onClick={onKeepEditing}>Keep editing</Button>
        <Button ref={discard} variant="danger" onClick={onDiscard}>Discard</Button>
      </div>
    </div>
  );
}
