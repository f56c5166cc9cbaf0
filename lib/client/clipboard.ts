import { toast } from "sonner";

/** Copies `text`, saying so; where the browser refuses (no permission, no https), says to select it instead. */
export async function copyText(text: string, what: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    toast.success(`${what} copied`);
    return true;
  } catch {
    toast.error(`Couldn't copy the ${what.toLowerCase()}: select it and copy it yourself`);
    return false;
  }
}
