import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { describe, expect, it } from "vitest";
import { SecretCache } from "#runtime/secret-cache";

/** A Secrets Manager client answering from `values` (a missing name is an error), counting reads per name. */
function fakeClient(values: Record<string, string>) {
  const reads = new Map<string, number>();
  let made = 0;
  const client = {
    async send(command: { input: { SecretId: string } }) {
      const name = command.input.SecretId;
      reads.set(name, (reads.get(name) ?? 0) + 1);
      const value = values[name];
      if (value === undefined)
        throw Object.assign(new Error("no such secret"), { name: "ResourceNotFoundException" });
      return { SecretString: value };
    },
  } as unknown as SecretsManagerClient;
  return {
    reads,
    made: () => made,
    make: async () => {
      made++;
      return client;
    },
  };
}

describe("SecretCache", () => {
  it("reads each secret once per max age, and again after it", async () => {
    let now = 0;
    const sm = fakeClient({ a: "key-a", b: "key-b" });
    const cache = new SecretCache(sm.make, 300, () => now);
    expect(sm.made()).toBe(0);
    expect(await Promise.all([cache.get("a"), cache.get("a"), cache.get("b")])).toEqual([
      "key-a",
      "key-a",
      "key-b",
    ]);
    now = 299_999;
    expect(await cache.get("a")).toBe("key-a");
    expect(sm.reads.get("a")).toBe(1);
    now = 300_000;
    expect(await cache.get("a")).toBe("key-a");
    expect(sm.reads.get("a")).toBe(2);
  });

  it("keeps no failure: the next call reads again", async () => {
    const values: Record<string, string> = {};
    const sm = fakeClient(values);
    const cache = new SecretCache(sm.make, 300, () => 0);
    await expect(cache.get("late")).rejects.toThrow("no such secret");
    values.late = "key-late";
    expect(await cache.get("late")).toBe("key-late");
    expect(sm.reads.get("late")).toBe(2);
  });
});
