import * as z from "./zod.ts";

/**
 * Classic zod's `schema.meta(m)`: a clone of `schema` with `m` registered in the global registry (the OpenAPI
 * document reads it), the schema itself untouched. The clone has no parent, as in classic, so it inherits no
 * metadata and the document inlines it as before.
 */
/* @__NO_SIDE_EFFECTS__ */
export function withMeta<T extends z.ZodMiniType>(schema: T, metadata: z.core.GlobalMeta): T {
  const clone = schema.clone();
  z.globalRegistry.add(clone, metadata);
  return clone;
}

/** Classic zod's `schema.meta()`: the metadata registered for `schema`, its parents' included. */
export function metaOf(schema: z.core.$ZodType): z.core.GlobalMeta | undefined {
  return z.globalRegistry.get(schema);
}

/** A schema named as an OpenAPI component (`#/components/schemas/<id>`), keeping its description. */
export const named = /* @__NO_SIDE_EFFECTS__ */ <S extends z.ZodMiniType>(schema: S, id: string): S =>
  withMeta(schema, { ...metaOf(schema), id }) as S;
