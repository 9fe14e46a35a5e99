import { readFile } from "node:fs/promises";

const cache = new Map<string, Promise<unknown>>();

/**
 * A JSON file the API reads instead of carrying in its code: next to this module in the repository
 * (lambdas/api/<fileName>) and next to the bundle in a Lambda package (copied there when bundling,
 * infra/quota-guard.ts `packagedFiles`), so `import.meta.url` finds it in both. Read once per container, on
 * first use (not at import: cold starts do not pay for it); a failed read is not kept, so the next call tries
 * again. Rejects with the read's or JSON.parse's error.
 */
export function readPackagedJson<T>(fileName: string): Promise<T> {
  let pending = cache.get(fileName);
  if (!pending) {
    pending = readFile(new URL(`./${fileName}`, import.meta.url), "utf8").then(
      (text) => JSON.parse(text) as unknown,
      (error: unknown) => {
        cache.delete(fileName);
        throw error;
      },
    );
    cache.set(fileName, pending);
  }
  return pending as Promise<T>;
}
