import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "#config/config";

/**
 * docs/configuration.md shows the whole config with its defaults: the example must be a config the code
 * accepts (the schema is strict, so a renamed or removed field fails here), and every section but the
 * accounts must be what the code uses when the field is left out.
 */

const DOC = readFileSync(new URL("../../../docs/configuration.md", import.meta.url), "utf8");
const start = DOC.indexOf("```jsonc\n");
const EXAMPLE = DOC.slice(start + "```jsonc\n".length, DOC.indexOf("\n```", start));
/** The example without its `//` comments (none of its strings contains `//`). */
const parsed = JSON.parse(EXAMPLE.replace(/\/\/[^\n]*/g, "")) as Record<string, unknown>;

describe("docs/configuration.md", () => {
  it("shows a config the code accepts", () => {
    expect(() => parseConfig(parsed, "docs/configuration.md")).not.toThrow();
  });

  it("shows every section but the accounts at the defaults the code applies", () => {
    const shown = parseConfig(parsed, "docs/configuration.md");
    const defaults = parseConfig({}, "defaults");
    for (const section of ["schedule", "alerts", "checks", "reservations", "rateCards", "retentionDays"]) {
      expect(shown[section as keyof typeof shown], section).toEqual(
        defaults[section as keyof typeof defaults],
      );
    }
  });

  it("shows the default account's settings as the code defaults them", () => {
    const [account] = parseConfig(parsed, "docs/configuration.md").accounts;
    const [fallback] = parseConfig({}, "defaults").accounts;
    // The two optional fields the page marks "optional": left out, they mean what the page shows.
    expect(account).toEqual({ ...fallback, spendPool: "api_wallet", spendPoolByJobType: {} });
  });
});
