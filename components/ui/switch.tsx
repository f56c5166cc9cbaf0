"use client";
import * as RadixSwitch from "@radix-ui/react-switch";

export function Switch({ id, checked, onCheckedChange, disabled, label }: { id?: string; checked: boolean; onCheckedChange: (checked: boolean) => void; disabled?: boolean; label: string }) {
  return (
    <RadixSwitch.Root
      id={id}
      checked={checked}
      onCheckedChange={onCheckedChange}
      disabled={disabled}
      aria-label={label}
      className="relative inline-flex h-5 w-9 shrink-0 items-center rounded-full bg-zinc-300 transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-500 disabled:opacity-50 data-[state=checked]:bg-emerald-600 dark:bg-zinc-700 dark:data-[state=checked]:bg-emerald-500"
    >
      <RadixSwitch.Thumb className="block h-4 w-4 translate-x-0.5 rounded-full bg-white shadow transition-transform data-[state=checked]:translate-x-[18px]" />
    </RadixSwitch.Root>
  );
}
