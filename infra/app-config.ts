import { existsSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { loadConfigFile, parseConfig, type QuotaGuardConfig } from "#config/config";
import { DEFAULT_CONFIG_FILE } from "./paths.ts";

/**
 * The config the stack is built from: the file named by `-c config=PATH` (relative to the working
 * directory), else `quota-guard.config.json` in the repository root if present, else the defaults.
 * An invalid config throws ConfigError naming each bad field, which fails the synth.
 */
export function resolveConfig(contextPath: unknown, rootDir: string): QuotaGuardConfig {
  if (typeof contextPath === "string" && contextPath.length > 0) {
    return loadConfigFile(isAbsolute(contextPath) ? contextPath : resolve(contextPath));
  }
  const defaultFile = join(rootDir, DEFAULT_CONFIG_FILE);
  return existsSync(defaultFile) ? loadConfigFile(defaultFile) : parseConfig({}, "defaults");
}
