import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { openApiDocument } from "#api/openapi";
import { OPENAPI_FILE_NAME } from "#api/openapi-file";

/**
 * The build-time half of GET /openapi.json: the document zod-openapi derives from the route table, written to
 * lambdas/api/openapi.json (`npm run generate:openapi`). The stack copies that file next to the API's bundle;
 * test/unit/api/openapi.test.ts fails when the file is not what the route table makes.
 */
export const OPENAPI_FILE = fileURLToPath(new URL(`../lambdas/api/${OPENAPI_FILE_NAME}`, import.meta.url));

/** The file's text: the document as 2-space JSON with a final newline. */
export function openApiFileText(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}

export function committedOpenApiFileText(): string {
  return readFileSync(OPENAPI_FILE, "utf8");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(OPENAPI_FILE, openApiFileText());
  console.log(`wrote ${OPENAPI_FILE}`);
}
