import fc from "fast-check";

/**
 * The commit, extend and release steps of the store's property tests (store-properties, budget-properties),
 * with the weights both use; `pick` chooses among the holds made so far. Amounts from `amount`.
 */
export function holdChangeSteps(amount: fc.Arbitrary<number>) {
  return [
    {
      weight: 2,
      arbitrary: fc.record({
        type: fc.constant("commit" as const),
        pick: fc.nat(),
        actual: fc.option(amount, { nil: undefined }),
        final: fc.boolean(),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        type: fc.constant("extend" as const),
        pick: fc.nat(),
        more: fc.option(amount, { nil: undefined }),
        ttl: fc.option(fc.integer({ min: 10, max: 600 }), { nil: undefined }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ type: fc.constant("release" as const), pick: fc.nat() }) },
  ] as const;
}
