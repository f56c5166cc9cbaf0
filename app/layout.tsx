import type { Metadata } from "next";
import { HydrationMark } from "@/components/hydration-mark";
import "./globals.css";

// Every page is rendered per request: its scripts carry that response's CSP nonce (server.mjs).
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "MCP Console", description: "Register MCP servers and forward your users' identity" };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">
        {children}
        <HydrationMark />
      </body>
    </html>
  );
}
