import { forwardRef } from "react";

export const inputClass =
  "block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm placeholder:text-zinc-400 focus:border-blue-500 focus:outline-none focus:ring-2 focus:ring-blue-500/30 aria-[invalid=true]:border-red-500 dark:border-zinc-700 dark:bg-zinc-950";

export const Input = forwardRef<HTMLInputElement, React.InputHTMLAttributes<HTMLInputElement>>(function Input({ className = "", ...props }, ref) {
  return <input ref={ref} className={`${inputClass} ${className}`} {...props} />;
});

/** A labelled control with its hint and its error, wired for screen readers. */
export function Field({ id, label, hint, error, required = false, children }: { id: string; label: string; hint?: string; error?: string; required?: boolean; children: React.ReactNode }) {
  return (
    <div className="space-y-1">
      <div className="flex gap-0.5 text-sm font-medium">
        <label htmlFor={id}>{label}</label>
        {/* Marked for the eye, outside the label so the field's name stays its label; aria-required (fieldAria) tells screen readers. */}
        {required && <span aria-hidden className="text-red-600 dark:text-red-400">*</span>}
      </div>
      {children}
      {error ? (
        <p id={`${id}-error`} role="alert" className="text-xs text-red-600 dark:text-red-400">
          {error}
        </p>
      ) : hint ? (
        <p id={`${id}-hint`} className="text-xs text-muted">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** aria props for the control inside a Field. */
export function fieldAria(id: string, error?: string, hint?: string, required = false) {
  return {
    id,
    "aria-required": required || undefined,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": error ? `${id}-error` : hint ? `${id}-hint` : undefined,
  } as const;
}
