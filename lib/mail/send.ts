// Outgoing mail: invitations and address-verification links, through the SMTP server SMTP_URL names
// (nodemailer). Without SMTP_URL nothing is sent and callers show the link to whoever made it.
import "server-only";
import nodemailer, { type Transporter } from "nodemailer";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { processWide } from "@/lib/process-wide";

export type Mail = { to: string; subject: string; text: string };

const transports = processWide("mail-transports", () => new Map<string, Transporter>());

export function mailConfigured(): boolean {
  return Boolean(env().SMTP_URL);
}

function transportFor(url: string): Transporter {
  let transport = transports.get(url);
  if (!transport) {
    // A mail server that stalls must not hold an admin's request for minutes (nodemailer's defaults).
    transport = nodemailer.createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
    transports.set(url, transport);
  }
  return transport;
}

function fromAddress(): string {
  const config = env();
  return config.MAIL_FROM ?? `no-reply@${new URL(config.NEXTAUTH_URL).hostname}`;
}

/** Sends one plain-text mail; false (logged, never thrown) when there is no SMTP or it failed. */
export async function sendMail(mail: Mail): Promise<boolean> {
  const url = env().SMTP_URL;
  if (!url) return false;
  try {
    // An address object, not a string nodemailer would parse: "x<victim@…>" or "a,b@…" can't redirect it.
    await transportFor(url).sendMail({ from: `MCP Console <${fromAddress()}>`, to: { name: "", address: mail.to }, subject: mail.subject, text: mail.text });
    return true;
  } catch (error) {
    log.error({ err: error instanceof Error ? error : undefined, subject: mail.subject }, "could not send mail");
    return false;
  }
}
