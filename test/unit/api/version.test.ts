import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { VERSION } from "#config/version";

describe("VERSION (reported by GET /v1/health and the OpenAPI document)", () => {
  it("equals package.json's version", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    expect(VERSION).toBe(pkg.version);
  });
});
