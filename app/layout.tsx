import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = { title: "MCP Console", description: "Register MCP servers and forward your users' identity" };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
