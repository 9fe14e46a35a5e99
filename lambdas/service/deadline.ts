/**
 * `pending`'s outcome, or an error coded `timeout` once `timeoutMs` (wall-clock milliseconds) have passed.
 * The work itself is not cancelled: it finishes or fails on its own (the HeyGen client's own timeouts bound
 * it) and its outcome is dropped, so only work whose result can be thrown away may be raced this way.
 */
export async function answerWithin<T>(pending: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(message)), timeoutMs);
  });
  // Once the deadline has answered, a late failure must not surface as an unhandled rejection.
  pending.catch(() => undefined);
  try {
    return await Promise.race([pending, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** An error the reading records as a failure with code `timeout`, like the HeyGen client's own timeouts. */
export function timeoutError(message: string): Error & { code: "timeout" } {
  return Object.assign(new Error(message), { code: "timeout" as const });
}
