// Every outbound request to an MCP server goes through here (one place to guard and observe).
import "server-only";

export const outboundFetch: typeof fetch = (input, init) => fetch(input, { ...init, redirect: "error" });
