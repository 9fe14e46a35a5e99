import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { LocalStack } from "#local/stack";

/** The `quota-guard` command as a newcomer runs it. */
export const CLI_BIN = fileURLToPath(new URL("../../packages/cli/bin/quota-guard.js", import.meta.url));

/** Runs `quota-guard <args>` in its own process against `stack` (QUOTA_GUARD_URL), never rejecting. */
export function cliAgainst(stack: () => Pick<LocalStack, "url">) {
  return (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [CLI_BIN, ...args],
        { env: { ...process.env, QUOTA_GUARD_URL: stack().url } },
        (e, stdout, stderr) => resolve({ code: e ? Number(e.code) : 0, stdout, stderr }),
      ),
    );
}
