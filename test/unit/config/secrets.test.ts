import { describe, expect, it } from "vitest";
import { apiKeyFromSecret, SECRET_PLACEHOLDER } from "#config/secrets";

describe("apiKeyFromSecret", () => {
  it("returns the key a secret holds, trimmed", () => {
    expect(apiKeyFromSecret("  hg-real-key\n", "quota-guard/heygen/default")).toBe("hg-real-key");
  });

  it.each([
    ["the stack's placeholder", SECRET_PLACEHOLDER],
    ["an empty value", ""],
    ["whitespace", "   "],
    ["a non-string", { key: "x" }],
  ])("treats %s as no key yet: invalid_key, naming the secret", (_label, value) => {
    expect(() => apiKeyFromSecret(value, "quota-guard/heygen/acme")).toThrow(
      expect.objectContaining({
        code: "invalid_key",
        message: expect.stringContaining("quota-guard/heygen/acme"),
      }),
    );
  });
});
