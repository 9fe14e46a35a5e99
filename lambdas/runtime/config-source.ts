import { loadConfigFile, type QuotaGuardConfig } from "#config/config";
import { ENV, requiredEnv } from "./environment.ts";

/**
 * Where a Lambda finds its config: a JSON file in a Lambda layer that the stack builds from the config
 * validated at synth (infra/config-layer.ts), named by `ENV.config`. A file, not an environment variable (4 KB
 * for all of them, about 20 accounts) nor an SSM parameter (8 KB advanced, and 500 accounts are ~100 KB):
 * docs/design-notes.md.
 */

/** The file's path inside the layer's directory; Lambda mounts every layer's content under /opt. */
export const CONFIG_LAYER_FILE = "quota-guard/config.json";
export const CONFIG_FILE_PATH = `/opt/${CONFIG_LAYER_FILE}`;

/**
 * The config the stack shipped, read once per container and validated again (the layer could have been
 * built by another version of this code). Throws ConfigError naming the file and every invalid field, or
 * naming `ENV.config` when the stack did not set it.
 */
export function loadRuntimeConfig(env: Record<string, string | undefined> = process.env): QuotaGuardConfig {
  return loadConfigFile(requiredEnv(ENV.config, env));
}
