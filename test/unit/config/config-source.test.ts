import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "#config/config";
import { loadRuntimeConfig } from "#runtime/config-source";
import { ENV } from "#runtime/environment";

const dir = mkdtempSync(join(tmpdir(), "quota-guard-config-source-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fileWith(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe("loadRuntimeConfig (the Lambdas' config, from the layer's file)", () => {
  it("reads and validates the file the stack names, defaults filled in", () => {
    const path = fileWith("ok.json", JSON.stringify({ accounts: [{ id: "a" }, { id: "b" }] }));
    expect(loadRuntimeConfig({ [ENV.config]: path })).toEqual(
      parseConfig({ accounts: [{ id: "a" }, { id: "b" }] }),
    );
  });

  it("validates again at load: a bad field fails naming the file and the field", () => {
    const path = fileWith("bad.json", JSON.stringify({ accounts: [{ id: "a" }, { id: "B!" }] }));
    expect(() => loadRuntimeConfig({ [ENV.config]: path })).toThrow(ConfigError);
    expect(() => loadRuntimeConfig({ [ENV.config]: path })).toThrow(
      new RegExp(`${path.replace(/[/\\.]/g, "\\$&")}[\\s\\S]*accounts\\.1\\.id: must match`),
    );
  });

  it("names the file when it is missing or not JSON", () => {
    expect(() => loadRuntimeConfig({ [ENV.config]: join(dir, "absent.json") })).toThrow(/cannot read/);
    const path = fileWith("broken.json", "{ accounts: ");
    expect(() => loadRuntimeConfig({ [ENV.config]: path })).toThrow(/not valid JSON/);
  });

  it("names the variable when the stack did not set it", () => {
    expect(() => loadRuntimeConfig({})).toThrow(`environment variable ${ENV.config} is not set`);
  });
});
