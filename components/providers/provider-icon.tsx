import type { Provider } from "@/lib/providers/schemas";

export function ProviderIcon({ provider, size = 36 }: { provider: Pick<Provider, "icon" | "name">; size?: number }) {
  const style = { width: size, height: size };
  if (provider.icon?.type === "url") {
    // eslint-disable-next-line @next/next/no-img-element
    return <img src={provider.icon.url} alt="" style={style} className="rounded-md object-cover" referrerPolicy="no-referrer" />;
  }
  if (provider.icon?.type === "emoji") {
    return (
      <span aria-hidden style={{ ...style, background: provider.icon.background }} className="flex shrink-0 items-center justify-center rounded-md text-lg">
        {provider.icon.content}
      </span>
    );
  }
  return (
    <span aria-hidden style={style} className="flex shrink-0 items-center justify-center rounded-md bg-zinc-100 text-sm font-semibold text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">
      {provider.name.slice(0, 1).toUpperCase()}
    </span>
  );
}
