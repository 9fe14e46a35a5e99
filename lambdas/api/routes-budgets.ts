import { named } from "#core/zod-meta";
import { AccountPath, answer, BODY, BudgetPath, json, type RouteSpec } from "./route-spec.ts";
import { PAUSE_BODY, RESUME_BODY } from "./routes-accounts.ts";
import { BudgetRequest } from "./schemas.ts";

/** The budget routes of an account (docs/budgets.md): set, read, list, delete, pause and resume. */
export const BUDGET_ROUTES = {
  listBudgets: {
    method: "GET",
    path: "/v1/accounts/{id}/budgets",
    summary: "The account's budgets, each with what it has used this period",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath },
    answers: { 200: { description: "Every budget of the account, by id", schema: answer("BudgetList") } },
    problems: ["not-found", "forbidden"],
  },
  putBudget: {
    method: "PUT",
    path: "/v1/accounts/{id}/budgets/{budgetId}",
    summary: "Create a budget, or change its settings (what it has used this period is kept)",
    auth: "iam",
    servedBy: "api",
    request: { path: BudgetPath, body: json(named(BudgetRequest, "BudgetRequest")) },
    answers: {
      200: { description: "Changed, or already so", schema: answer("Budget") },
      201: {
        description: "Created",
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
    summary: "A budget and what it has used this period",
    auth: "iam",
    servedBy: "api",
    request: { path: BudgetPath },
    answers: { 200: { description: "The budget", schema: answer("Budget") } },
    problems: ["validation-error", "not-found", "forbidden"],
  },
  deleteBudget: {
    method: "DELETE",
    path: "/v1/accounts/{id}/budgets/{budgetId}",
    summary: "Delete a budget with no open hold",
    auth: "iam",
    servedBy: "api",
    request: { path: BudgetPath },
    answers: { 204: { description: "Deleted" } },
    problems: ["validation-error", "not-found", "forbidden", "budget-in-use"],
  },
  pauseBudget: {
    method: "POST",
    path: "/v1/accounts/{id}/budgets/{budgetId}/pause",
    summary: "The budget's kill switch: checks and reserves through it are refused (paused) until resumed",
    auth: "iam",
    servedBy: "api",
    request: { path: BudgetPath, body: PAUSE_BODY },
    answers: { 200: { description: "The budget, paused: who, when and why", schema: answer("Budget") } },
    problems: [...BODY, "not-found"],
  },
  resumeBudget: {
    method: "POST",
    path: "/v1/accounts/{id}/budgets/{budgetId}/resume",
    summary: "Turn the budget's kill switch off",
    auth: "iam",
    servedBy: "api",
    request: { path: BudgetPath, body: RESUME_BODY },
    answers: { 200: { description: "The budget, not paused", schema: answer("Budget") } },
    problems: [...BODY, "not-found"],
  },
} as const satisfies Record<string, RouteSpec>;
