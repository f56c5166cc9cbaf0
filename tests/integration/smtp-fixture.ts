// A real SMTP server for the tests, on a port the system picks: it takes every message and keeps
// its raw text, so a test reads the mail the console sent as a recipient would.
import { SMTPServer } from "smtp-server";
import { setEnv } from "./identity-fixture";

export type ReceivedMail = { to: string[]; raw: string };

export async function startSmtpServer() {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString("utf8") });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as { port: number };
  return {
    port,
    received,
    /** Mail goes to this server from now on (SMTP_URL). */
    use: () => { setEnv({ SMTP_URL: `smtp://127.0.0.1:${port}` }); },
    /** The console sends no mail again. */
    unset: () => { setEnv({ SMTP_URL: undefined }); },
    /** The one link to the console in the newest mail to `to`. */
    linkTo(to: string, path: string): string {
      const mail = received.findLast((m) => m.to.includes(to));
      if (!mail) throw new Error(`No mail to ${to}`);
      // Quoted-printable soft line breaks (=\r\n) may split a long link.
      const body = mail.raw.replace(/=\r?\n/g, "");
      const match = new RegExp(`https?://[^\\s]+${path}[A-Za-z0-9._-]+`).exec(body);
      if (!match) throw new Error(`No ${path} link in the mail to ${to}`);
      return match[0];
    },
    stop: () => new Promise<void>((resolve) => { server.close(() => { resolve(); }); }),
  };
}
