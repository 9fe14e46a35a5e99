import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

/**
 * The one zod every Lambda bundles: `zod/mini`, whose functions tree-shake where classic zod's methods do not
 * (docs/bundles-and-tracing.md). `zod/mini` loads no locale, so without `config(en())` every message would read
 * "Invalid input"; importing zod from here (`import * as z from "./zod.ts"`), never from "zod/mini" directly, is
 * what makes the messages English.
 *
 * Re-exported with `export *`, not as a namespace object (`import * as z …; export { z }`): esbuild tree-shakes
 * the former's `z.string` accesses, while the latter drags the whole of zod, every locale included, into the
 * bundle (432 KB instead of about 30).
 */
config(en());

export * from "zod/mini";
