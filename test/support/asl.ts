import type { RunOptions } from "aws-local-stepfunctions";
import type { LocalStack } from "#local/stack";

/**
 * What the ASL tests share: running synthesized definitions in aws-local-stepfunctions with their API
 * Gateway tasks sent to the local stack.
 */

// aws-local-stepfunctions uses Promise.withResolvers (Node 22); the project runs on Node 20 too.
if (!("withResolvers" in Promise)) {
  Object.assign(Promise, {
    withResolvers<T>() {
      let resolve!: (value: T) => void;
      let reject!: (reason: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export type LocalHandlers = NonNullable<NonNullable<RunOptions["overrides"]>["taskResourceLocalHandlers"]>;

export interface ApiGatewayInvoke {
  Method: string;
  Path: string;
  Headers?: Record<string, string[]>;
  RequestBody?: unknown;
}

/** An error whose name is what a Catch or Retry matches (`ApiGateway.409`, `States.Timeout`, …). */
export function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** What API Gateway's integration does: the HTTP call, a 4xx/5xx as the task error `ApiGateway.<status>`. */
export async function invokeApi(stack: Pick<LocalStack, "url">, input: ApiGatewayInvoke) {
  const headers = Object.fromEntries(
    Object.entries(input.Headers ?? {}).map(([name, values]) => [name, values.join(",")]),
  );
  const response = await fetch(new URL(input.Path, stack.url), {
    method: input.Method,
    headers,
    body: JSON.stringify(input.RequestBody ?? {}),
  });
  const body = await response.json();
  if (response.status >= 400) throw named(`ApiGateway.${response.status}`, JSON.stringify(body));
  return { StatusCode: response.status, ResponseBody: body };
}

type States = Record<string, Record<string, unknown>>;

/**
 * The definition started at `start`, without the states it cannot reach (the interpreter refuses
 * unreachable states): what a redrive that reruns from `start` can run. aws-local-stepfunctions has no
 * RedriveExecution; a redrive reruns only the states that did not exit, with the input they had (AWS
 * developer guide, "Redriving executions"), so a test runs this from the unfinished state's input.
 */
export function startingAt<M extends { States: States }>(machine: M, start: string): M & { StartAt: string } {
  const reached = new Set<string>();
  const visit = (name: string | undefined) => {
    if (!name || reached.has(name)) return;
    reached.add(name);
    const state = machine.States[name] ?? {};
    const catches = (state.Catch ?? []) as { Next: string }[];
    const choices = (state.Choices ?? []) as { Next: string }[];
    for (const next of [
      state.Next,
      state.Default,
      ...catches.map((c) => c.Next),
      ...choices.map((c) => c.Next),
    ])
      visit(next as string | undefined);
  };
  visit(start);
  return {
    ...machine,
    StartAt: start,
    States: Object.fromEntries(Object.entries(machine.States).filter(([name]) => reached.has(name))),
  };
}
