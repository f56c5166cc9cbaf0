// The relay's tests (gateway-relay.test.ts) again, over HTTP to the gateway as server.mjs serves it
// (lib/gateway/node-http.ts): a node request in, and a server's event stream written to the client
// from Node's stream, where the route handlers' path makes web Requests and Responses.
import { afterAll, beforeAll, expect } from "vitest";
import { servedOverHttp } from "./gateway-client";
import "./gateway-relay.test";

let http: Awaited<ReturnType<typeof servedOverHttp>>;

beforeAll(async () => {
  http = await servedOverHttp();
});

afterAll(async () => {
  // Every test's requests went this way, not to the route handlers.
  expect(http.served()).toBeGreaterThan(100);
  await http.stop();
});
