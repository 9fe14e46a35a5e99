import { basename } from "node:path";
import type { Duration } from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, type IDestination, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { type ICommandHooks, NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import type { Construct } from "constructs";
import { METRICS_NAMESPACE, SERVICE_NAME } from "#config/observability";
import { ENV } from "#runtime/environment";
import { TABLE } from "#store/table";
import { LAMBDA_BUNDLING } from "./bundling.ts";
import { createLogGroup, type LogSettings } from "./log-settings.ts";
import { REPO_ROOT } from "./paths.ts";

export interface QuotaGuardFunctionProps {
  readonly entry: string;
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly logs: LogSettings;
  readonly environment?: Record<string, string>;
  /** Asynchronous invocations (the schedule) that still fail after the retries land here. */
  readonly onFailure?: IDestination;
  readonly maxEventAge?: Duration;
  /**
   * Files (paths from the repository's root) copied next to the bundle, for the handler to read at run time
   * rather than carry in its code: the API's build-time OpenAPI document (lambdas/api/openapi-file.ts).
   */
  readonly packagedFiles?: readonly string[];
}

/**
 * A Lambda with the project's defaults fixed in one place: newest Node.js runtime, ARM64, active tracing,
 * ESM bundle made by local esbuild (minified, source maps), its own log group with retention, and its own
 * role that starts with nothing but writing to that log group (no AWS managed policy).
 */
export class QuotaGuardFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: QuotaGuardFunctionProps) {
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `Runs ${props.description}`,
    });
    const logGroup = createLogGroup(scope, `${id}Logs`, props.logs);
    super(scope, id, {
      entry: props.entry,
      handler: "handler",
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      onFailure: props.onFailure,
      maxEventAge: props.maxEventAge,
      retryAttempts: props.onFailure ? 2 : undefined,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        // Stack traces point at the TypeScript sources instead of the minified bundle.
        NODE_OPTIONS: "--enable-source-maps",
        ...props.environment,
      },
      bundling: {
        ...LAMBDA_BUNDLING,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        externalModules: [...LAMBDA_BUNDLING.externalModules],
        ...(props.packagedFiles?.length ? { commandHooks: copyNextToBundle(props.packagedFiles) } : {}),
      },
    });
    logGroup.grantWrite(role);
  }

  /** Grants exactly `actions` on the table and its indexes and tells the handler its name, in one call. */
  useTable(table: ITable, actions: readonly string[]): void {
    this.allow(
      actions.map((action) => `dynamodb:${action}`),
      [
        table.tableArn,
        ...Object.values(TABLE.indexes).map((index) => `${table.tableArn}/index/${index.name}`),
      ],
    );
    this.addEnvironment(ENV.tableName, table.tableName);
  }

  allow(actions: readonly string[], resources: readonly string[]): void {
    this.addToRolePolicy(new PolicyStatement({ actions: [...actions], resources: [...resources] }));
  }
}

/** Local bundling runs these in a shell on this machine: one `cp` per file, into the asset's directory. */
function copyNextToBundle(files: readonly string[]): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir, outputDir) =>
      files.map((file) => `cp "${inputDir}/${file}" "${outputDir}/${basename(file)}"`),
  };
}
