import { readFile } from "node:fs/promises";

/**
 * The OpenAPI document as the API serves it: a JSON file made at build time from the route table
 * (`npm run generate:openapi`, infra/openapi-file.ts; a test fails when it drifts from the table), so that the
 * Lambda carries neither zod-openapi nor the code that builds the document. Next to this module in the
 * repository (lambdas/api/openapi.json) and next to the bundle in a Lambda package (copied there when
 * bundling, infra/quota-guard-function.ts): `import.meta.url` finds it in both.
 */
export const OPENAPI_FILE_NAME = "openapi.json";

/** What GET /openapi.json answers (responses.ts, OpenApiDocument): an OpenAPI document, read as JSON. */
export interface OpenApiJson {
  openapi: string;
  info: { title: string; version: string };
  [member: string]: unknown;
}

let cached: Promise<OpenApiJson> | undefined;

/** Read once per container, on the first GET /openapi.json (not at import: cold starts do not pay for it). */
export function servedOpenApiDocument(): Promise<OpenApiJson> {
  cached ??= readFile(new URL(`./${OPENAPI_FILE_NAME}`, import.meta.url), "utf8").then(
    (text) => JSON.parse(text) as OpenApiJson,
    (error: unknown) => {
      cached = undefined;
      throw error;
    },
  );
  return cached;
}
