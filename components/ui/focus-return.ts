"use client";
// Where focus goes when a dialog closes. Our dialogs are opened by ordinary buttons and menu items
// (not Radix triggers), so focus goes back to what last had it outside any dialog or menu: the
// opener (a menu item is gone by then; its menu's button counts). Tracked for the page rather than
// per dialog: a dialog may mount already open (its code loaded on the click), and by then a
// field's autoFocus has moved focus inside it. The body doesn't count: focus falls there while a
// dialog closes. If the opener went with what the dialog did (the row just deleted), focus goes to
// the page's main region, so a keyboard user stays on the page instead of starting over at the top.
import { useEffect, useRef } from "react";

let lastFocusOutside: HTMLElement | null = null;
function noteFocus() {
  const focused = document.activeElement;
  if (!(focused instanceof HTMLElement) || focused === document.body || focused.closest('[role="dialog"], [role="alertdialog"]')) return;
  // In a menu, its button is the opener (the item is gone once chosen; a mouse never focuses the button).
  const menu = focused.closest<HTMLElement>('[role="menu"]');
  const opener = menu?.id ? document.querySelector<HTMLElement>(`[aria-controls="${CSS.escape(menu.id)}"]`) : null;
  if (!menu) lastFocusOutside = focused;
  else if (opener) lastFocusOutside = opener;
}
if (typeof document !== "undefined") {
  noteFocus();
  document.addEventListener("focusin", noteFocus);
}

/** For Radix's `onCloseAutoFocus`: captures the opener while `open`, and gives focus back on close. */
export function useReturnFocus(open: boolean): (event: Event) => void {
  const opener = useRef<HTMLElement | null>(null);
  useEffect(() => {
    if (open) opener.current = lastFocusOutside;
  }, [open]);
  return (event) => {
    event.preventDefault();
    const target = opener.current?.isConnected ? opener.current : document.getElementById("main");
    target?.focus();
  };
}
