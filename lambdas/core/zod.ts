import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";

/**
 * The one zod every Lambda bundles: `zod/mini`, whose functions tree-shake where classic zod's methods do not
 * (docs/bundles-and-tracing.md). `zod/mini` loads no locale, so without `z.config(en())` every message would read
 * "Invalid input"; importing z from here, never from "zod/mini" directly, is what makes the messages English.
 */
z.config(en());

export { z };

/**
 * Classic zod's `schema.meta(m)`: a clone of `schema` with `m` registered in the global registry (the OpenAPI
 * document reads it), the schema itself untouched. The clone has no parent, as in classic, so it inherits no
 * metadata and the document inlines it as before.
 */
export function withMeta<T extends z.ZodMiniType>(schema: T, metadata: z.core.GlobalMeta): T {
  const clone = schema.clone();
  z.globalRegistry.add(clone, metadata);
  return clone;
}

/** Classic zod's `schema.meta()`: the metadata registered for `schema`, its parents' included. */
export function metaOf(schema: z.core.$ZodType): z.core.GlobalMeta | undefined {
  return z.globalRegistry.get(schema);
}
