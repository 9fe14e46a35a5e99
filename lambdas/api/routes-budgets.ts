import { named } from "#core/zod-meta";
import { AccountPath, answer, BODY, BudgetPath, json, type RouteSpec } from "./route-spec.ts";
import { PAUSE_BODY, RESUME_BODY } from "./routes-accounts.ts";
import { BudgetRequest } from "./schemas.ts";

/** The budget routes of an account (docs/budgets.md): set, read, list, delete, pause and resume. */
export const BUDGET_ROUTES = {
  listBudgets: {
    method: "GET",
    path: "/v1/accounts/{id}/budgets",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath },
    answers: { 200: { schema: answer("BudgetList") } },
    problems: ["not-found", "forbidden"],
  },
  putBudget: {
    method: "PUT",
    path: "/v1/accounts/{id}/budgets/{budgetId}",
    auth: "iam",
    servedBy: "api",
    request: { path: BudgetPath, body: json(named(BudgetRequest, "BudgetRequest")) },
    answers: {
      200: { schema: answer("Budget") },
      201: {
        schema: answer("Budget"),
        location: (body: { accountId: string; id: string }) =>
          `/v1/accounts/${body.accountId}/budgets/${body.id}`,
      },
    },
    problems: [...BODY, "not-found", "forbidden"],
  },
  getBudget: {
    method: "GET",
    path: "/v1/accounts/{id}/budgets/{budgetId}",
    auth: "iam",
    servedBy: "api",
    request: { path: BudgetPath },
    answers: { 200: { schema: answer("Budget") } },
    problems: ["validation-error", "not-found", "forbidden"],
  },
  deleteBudget: {
    method: "DELETE",
    path: "/v1/accounts/{id}/budgets/{budgetId}",
    auth: "iam",
    servedBy: "api",
    request: { path: BudgetPath },
    answers: { 204: {} },
    problems: ["validation-error", "not-found", "forbidden", "budget-in-use"],
  },
  pauseBudget: {
    method: "POST",
    path: "/v1/accounts/{id}/budgets/{budgetId}/pause",
    auth: "iam",
    servedBy: "api",
    request: { path: BudgetPath, body: PAUSE_BODY },
    answers: { 200: { schema: answer("Budget") } },
    problems: [...BODY, "not-found"],
  },
  resumeBudget: {
    method: "POST",
    path: "/v1/accounts/{id}/budgets/{budgetId}/resume",
    auth: "iam",
    servedBy: "api",
    request: { path: BudgetPath, body: RESUME_BODY },
    answers: { 200: { schema: answer("Budget") } },
    problems: [...BODY, "not-found"],
  },
} as const satisfies Record<string, RouteSpec>;
