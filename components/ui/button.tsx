import { forwardRef } from "react";

const VARIANTS = {
  primary: "bg-zinc-900 text-white hover:bg-zinc-700 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300",
  secondary: "border border-zinc-300 bg-white hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800",
  danger: "bg-red-600 text-white hover:bg-red-700", // white on red-500 is 3.8:1
  ghost: "hover:bg-zinc-100 dark:hover:bg-zinc-800",
} as const;

type ButtonProps = React.ButtonHTMLAttributes<HTMLButtonElement> & { variant?: keyof typeof VARIANTS; size?: "sm" | "md" };

/** A button's look, for what must be a link (a download) but should look like one. */
export function buttonClass({ variant = "secondary", size = "md" }: { variant?: keyof typeof VARIANTS; size?: "sm" | "md" } = {}): string {
  const sizing = size === "sm" ? "px-2.5 py-1 text-xs" : "px-3.5 py-2 text-sm";
  return `inline-flex items-center justify-center gap-1.5 rounded-md font-medium transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-500 disabled:cursor-not-allowed disabled:opacity-50 ${sizing} ${VARIANTS[variant]}`;
}

export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button({ variant = "secondary", size = "md", className = "", ...props }, ref) {
  return <button ref={ref} type="button" className={`${buttonClass({ variant, size })} ${className}`} {...props} />;
});
