import * as z from "./zod.ts";

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

/** Every described clone and the key of its description, in the order made; see `described`. */
const pending: [z.core.$ZodType, string][] = [];
const keyOf = new WeakMap<z.core.$ZodType, string>();

/**
 * `withMeta(schema, { description })` with the description named by `key` instead of written here: the same
 * clone, its description registered only when `applyDescriptions` is called with the texts. Only the OpenAPI
 * builder reads descriptions, so the texts (lambdas/api/descriptions.ts) stay out of the Lambda bundles
 * (docs/bundles-and-tracing.md), which carry the key alone.
 */
export function described<T extends z.ZodMiniType>(schema: T, key: string): T {
  const clone = schema.clone();
  pending.push([clone, key]);
  keyOf.set(clone, key);
  return clone;
}

/**
 * Registers the description of every `described` schema made so far, as `withMeta` would have at once
 * (`{ description, ...what named added }`). Idempotent. Build and test time only (lambdas/api/openapi.ts).
 * Throws for a key `texts` lacks.
 */
export function applyDescriptions(texts: Readonly<Record<string, string>>): void {
  for (const [schema, key] of pending.splice(0)) {
    const description = texts[key];
    if (description === undefined)
      throw new Error(`no description for "${key}" (lambdas/api/descriptions.ts)`);
    // Its own metadata only (named's id), not what it inherits: withMeta registered the description as its own.
    const metadata = z.globalRegistry._map.get(schema);
    z.globalRegistry.remove(schema);
    z.globalRegistry.add(schema, { description, ...metadata });
  }
}

/** A schema named as an OpenAPI component (`#/components/schemas/<id>`), keeping its description. */
export const named = <S extends z.ZodMiniType>(schema: S, id: string): S => {
  const clone = withMeta(schema, { ...metaOf(schema), id }) as S;
  const key = keyOf.get(schema);
  if (key !== undefined) {
    pending.push([clone, key]);
    keyOf.set(clone, key);
  }
  return clone;
};
