import { App, type AppProps, RemovalPolicy } from "aws-cdk-lib";
import { resolveConfig } from "./app-config.ts";
import { addNagChecks } from "./nag.ts";
import { REPO_ROOT } from "./paths.ts";
import { QuotaGuardStack } from "./quota-guard-stack.ts";

export interface CreateAppOptions {
  /** Context as `-c key=value` would give it: config, exampleStateMachine, removalPolicy, stackName. */
  readonly context?: Record<string, unknown>;
  /** Where `quota-guard.config.json` is looked for. @default the repository root */
  readonly rootDir?: string;
  readonly outdir?: string;
}

/** Builds the CDK app (used by infra/app.ts and by the tests, which pass context instead of flags). */
export function createApp(options: CreateAppOptions = {}): { app: App; stack: QuotaGuardStack } {
  const appProps: AppProps = { context: options.context, outdir: options.outdir };
  const app = new App(appProps);
  const context = (key: string): unknown => app.node.tryGetContext(key);
  const stack = new QuotaGuardStack(app, String(context("stackName") ?? "QuotaGuard"), {
    description: "HeyGen Quota Guard: balance monitoring, alerts, checks and credit reservations",
    config: resolveConfig(context("config"), options.rootDir ?? REPO_ROOT),
    exampleStateMachine: isTrue(context("exampleStateMachine")),
    removalPolicy:
      String(context("removalPolicy")) === "destroy" ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
  });
  addNagChecks(app);
  return { app, stack };
}

/** `-c flag=true` arrives as a string, cdk.json may hold a boolean. */
function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}
