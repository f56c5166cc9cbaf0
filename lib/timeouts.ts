// Whether a failure was a timeout: fetch with AbortSignal.timeout() rejects with a TimeoutError, a
// cancelled one with an AbortError, undici's request API with UND_ERR_HEADERS_TIMEOUT. One place
// decides, so every caller says "did not answer in time" for the same things.
export function isTimeoutError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === "TimeoutError" || error.name === "AbortError" || (error as Error & { code?: unknown }).code === "UND_ERR_HEADERS_TIMEOUT";
}
