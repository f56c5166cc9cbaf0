// Proof of possession a credential may need on every request to an MCP server (DPoP, RFC 9449:
// lib/upstream-oauth/dpop.ts makes it). Every path that sends a request to a server — the MCP client
// and the gateway's relay — signs each request with it and sends it once more when the server's
// answer asks for a fresh proof (a nonce). Credentials without one cost those paths nothing.
export type RequestProof = {
  /** The header the proof goes in. */
  header: string;
  /** A fresh proof for one request (`body`: what it sends, when it sends text). */
  sign(method: string, url: string, body?: string): Promise<string>;
  /** After an answer from `url`: keeps what it says for later proofs, and says whether to send the request once more now. */
  wantsRetry(url: string, response: Response): Promise<boolean>;
};

/**
 * Sends a request with a fresh proof, and, when the server's answer asks for one (once), again with
 * another. `send` makes the request with the headers given; without a proof it is sent as it is.
 */
export async function sendWithProof(proof: RequestProof | undefined, request: { method: string; url: string; headers: Headers; body?: unknown }, send: (headers: Headers) => Promise<Response>): Promise<Response> {
  if (!proof) return send(request.headers);
  const body = typeof request.body === "string" ? request.body : undefined;
  const signed = async () => {
    request.headers.set(proof.header, await proof.sign(request.method, request.url, body));
    return send(request.headers);
  };
  const response = await signed();
  if (!(await proof.wantsRetry(request.url, response))) return response;
  await response.body?.cancel().catch(() => undefined);
  return signed();
}
