/** `npm run generate:client`: rewrites the client's generated types from the API's OpenAPI document. */
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { GENERATED_TYPES_PATH, generateClientTypes } from "./openapi-types.ts";

await mkdir(new URL(".", GENERATED_TYPES_PATH), { recursive: true });
await writeFile(GENERATED_TYPES_PATH, await generateClientTypes());
console.log(`wrote ${fileURLToPath(GENERATED_TYPES_PATH)}`);
