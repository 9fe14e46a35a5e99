import { compileErrors, validate } from "@readme/openapi-parser";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "#api/openapi";
import { servedOpenApiDocument } from "#api/openapi-file";
import { PROBLEM_TYPES } from "#api/problem-types";
import { ROUTES } from "#api/route-table";
import { committedOpenApiFileText, openApiFileText } from "#infra/openapi-file";

type Schema = { $ref?: string; type?: string; properties?: Record<string, unknown>; anyOf?: Schema[] };
type Operation = {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
};

const document = () =>
  structuredClone(openApiDocument()) as unknown as {
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, Schema> };
    info?: unknown;
  };

function resolved(schema: Schema, doc: ReturnType<typeof document>): Schema {
  const name = schema.$ref?.replace("#/components/schemas/", "");
  return name ? (doc.components.schemas[name] as Schema) : schema;
}

describe("the OpenAPI document derived from the route table", () => {
  it("is what lambdas/api/openapi.json holds, the file GET /openapi.json serves (`npm run generate:openapi`)", async () => {
    expect(committedOpenApiFileText(), "lambdas/api/openapi.json is stale: npm run generate:openapi").toBe(
      openApiFileText(),
    );
    expect(await servedOpenApiDocument()).toEqual(structuredClone(openApiDocument()));
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    const result = await validate(document() as never);
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
    expect(openApiDocument().openapi).toBe("3.1.0");
  });

  it("the validator does refuse a broken document (the check above can fail)", async () => {
    const broken = document();
    delete broken.info;
    expect((await validate(broken as never)).valid).toBe(false);
  });

  it("every route's 2xx answer has a real schema: an object with its properties, never a bare {type: object}; a 204 has no body", () => {
    const doc = document();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const successes = Object.entries(operation.responses).filter(([status]) => status.startsWith("2"));
        expect(successes.length, `${method} ${path}`).toBeGreaterThan(0);
        for (const [status, response] of successes) {
          if (status === "204") {
            expect(response.content, `${method} ${path} 204`).toBeUndefined();
            continue;
          }
          const schema = resolved(response.content?.["application/json"]?.schema ?? {}, doc);
          expect(Object.keys(schema.properties ?? {}).length, `${method} ${path} ${status}`).toBeGreaterThan(
            0,
          );
        }
      }
    }
  });

  it("lists each route's problem types under their statuses, and every route's 503", () => {
    const doc = document();
    for (const route of Object.values(ROUTES)) {
      const operation = doc.paths[route.path]?.[route.method.toLowerCase()] as Operation;
      for (const type of route.problems) {
        const status = String(PROBLEM_TYPES[type].status);
        expect(JSON.stringify(operation.responses[status]), `${route.path} ${type}`).toContain(type);
      }
      expect(operation.responses["503"]).toBeDefined();
    }
  });
});
