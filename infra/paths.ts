import { fileURLToPath } from "node:url";

/** The repository root, so that entries and the default config file resolve from any working directory. */
export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

export const HANDLER_ENTRIES = {
  poller: fileURLToPath(new URL("../lambdas/poller/handler.ts", import.meta.url)),
  api: fileURLToPath(new URL("../lambdas/api/handler.ts", import.meta.url)),
  webhook: fileURLToPath(new URL("../lambdas/webhook/handler.ts", import.meta.url)),
  reports: fileURLToPath(new URL("../lambdas/reports/handler.ts", import.meta.url)),
} as const;

export const DEFAULT_CONFIG_FILE = "quota-guard.config.json";
