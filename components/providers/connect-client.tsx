"use client";
// How to reach this provider from an MCP client through the console: the endpoint, a config
// snippet for common clients, and the Inspector command to try it.
import Link from "next/link";
import { copyText } from "@/lib/client/clipboard";
import { Button } from "@/components/ui/button";

function Copyable({ label, text }: { label: string; text: string }) {
  return (
    <div className="space-y-1">
      <div className="flex items-center justify-between">
        <span className="text-xs font-medium text-muted">{label}</span>
        <Button size="sm" variant="ghost" aria-label={`Copy ${label}`} onClick={() => void copyText(text, label)}>
          Copy
        </Button>
      </div>
      <pre className="overflow-x-auto rounded-md bg-zinc-50 p-3 font-mono text-xs dark:bg-zinc-900">{text}</pre>
    </div>
  );
}

export function ConnectClient({ consoleUrl, serverIdentifier }: { consoleUrl: string; serverIdentifier: string }) {
  const endpoint = `${consoleUrl.replace(/\/$/, "")}/mcp/${serverIdentifier}`;
  const config = JSON.stringify({ mcpServers: { [serverIdentifier]: { type: "http", url: endpoint, headers: { Authorization: "Bearer ${MCP_CONSOLE_TOKEN}" } } } }, null, 2);
  const inspector = `npx @modelcontextprotocol/inspector --cli ${endpoint} --transport http \\\n  --header "Authorization: Bearer $MCP_CONSOLE_TOKEN" --method tools/list`;
  return (
    <details className="group rounded-xl border border-zinc-200 p-4 dark:border-zinc-800">
      <summary className="cursor-pointer text-base font-semibold">Connect an MCP client</summary>
      <div className="mt-3 space-y-3">
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Agents and IDEs reach this server through the console, as you: every call carries what this provider decides for your identity, and your token never leaves the console.
        Clients that support OAuth need only the endpoint: they open this console for you to authorise them (see <Link href="/settings/connected-apps" className="underline">Connected apps</Link>).
        Others send a <Link href="/settings/api-tokens" className="underline">personal API token</Link> as the Bearer token, as below. <span className="font-mono text-xs">{consoleUrl.replace(/\/$/, "")}/mcp</span> offers every provider&apos;s tools at once, named <span className="font-mono text-xs">{serverIdentifier}__tool</span>.
      </p>
      <Copyable label="Endpoint" text={endpoint} />
      <Copyable label="Client configuration" text={config} />
      <Copyable label="MCP Inspector command" text={inspector} />
      </div>
    </details>
  );
}
