import type net from "node:net";

/**
 * Listens on a port the system picks (port 0) and returns it: the server holds the port from the
 * moment it is chosen, so nothing else can take it in between.
 */
export function listenOnFreePort(server: net.Server, host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => {
      server.off("error", reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/** Listens on `port` when given, else on one the system picks; returns the port. */
export function listenOn(server: net.Server, port: number | undefined, host = "127.0.0.1"): Promise<number> {
  if (port === undefined || port === 0) return listenOnFreePort(server, host);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(port);
    });
  });
}

/** A loopback port that drops every connection it gets: a server that can't be talked to, deterministically. */
export async function startDroppingServer(): Promise<{ port: number; stop: () => Promise<void> }> {
  const { createServer } = await import("node:net");
  const server = createServer((socket) => socket.destroy());
  const port = await listenOnFreePort(server);
  return { port, stop: () => new Promise((resolve) => server.close(() => { resolve(); })) };
}
