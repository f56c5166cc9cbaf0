// Whether a failure was a timeout: fetch with AbortSignal.timeout() rejects with a TimeoutError, a
// cancelled one with an AbortError. One place decides, so every caller says "did not answer in time"
// for the same things.
export function isTimeoutError(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}
