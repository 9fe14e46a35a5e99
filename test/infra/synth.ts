import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { createApp } from "#infra/create-app";
import { CONFIG_LAYER_FILE } from "#runtime/config-source";

const tempDirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "quota-guard-infra-"));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface SynthOptions {
  /** Written to a file and passed as `-c config=PATH`; omitted means no config file at all. */
  readonly config?: unknown;
  readonly context?: Record<string, unknown>;
}

/** Builds the app as `cdk synth` would, isolated from any quota-guard.config.json in the repository. */
export function buildApp(options: SynthOptions = {}) {
  const dir = tempDir();
  const context: Record<string, unknown> = { ...options.context };
  if (options.config !== undefined) {
    context.config = join(dir, "config.json");
    writeFileSync(context.config as string, JSON.stringify(options.config));
  }
  return createApp({ context, rootDir: dir, outdir: join(dir, "cdk.out") });
}

const synthesized = new Map<string, ReturnType<typeof synthOnce>>();

/**
 * The app and its stack's template for `options`, synthesized once per worker: a synth is a second or two of
 * CPU, and the tests only read what it made (a test that changes an app builds its own, with buildApp).
 */
export function synth(options: SynthOptions = {}) {
  const key = JSON.stringify(options);
  let made = synthesized.get(key);
  if (made === undefined) {
    made = synthOnce(options);
    synthesized.set(key, made);
  }
  return made;
}

/** A synth of its own, for a test whose environment is part of what it checks. */
export function synthOnce(options: SynthOptions) {
  const built = buildApp(options);
  return { ...built, template: Template.fromStack(built.stack) };
}

export type Resources = Record<
  string,
  { Type: string; Properties: Record<string, unknown> } & Record<string, unknown>
>;

export function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
}

/** Every statement of every policy attached to the role of the Lambda whose description is `description`. */
export function statementsOfFunction(template: Template, description: string): Statement[] {
  const [fn] = Object.values(
    template.findResources("AWS::Lambda::Function", { Properties: { Description: description } }),
  );
  if (!fn) throw new Error(`no Lambda described as "${description}"`);
  const roleId = (fn.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
  return statementsOfRole(template, roleId);
}

export function statementsOfRole(template: Template, roleId: string): Statement[] {
  const role = template.toJSON().Resources[roleId];
  const inline = (role.Properties.Policies ?? []).flatMap(
    (p: { PolicyDocument: { Statement: Statement[] } }) => p.PolicyDocument.Statement,
  );
  const attached = Object.values(resourcesOf(template, "AWS::IAM::Policy"))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  return [...inline, ...attached];
}

export function actionsOf(statements: Statement[]): string[] {
  return statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();
}

/** Replaces CloudFormation intrinsics in a Fn::Join by `<LogicalId>` / `<Pseudo>` so the text can be parsed. */
export function joinToText(value: unknown): string {
  if (typeof value === "string") return value;
  const join = (value as { "Fn::Join"?: [string, unknown[]] })["Fn::Join"];
  if (!join) throw new Error(`not a string or Fn::Join: ${JSON.stringify(value)}`);
  return join[1]
    .map((part) => {
      if (typeof part === "string") return part;
      const ref = (part as { Ref?: string }).Ref;
      const getAtt = (part as { "Fn::GetAtt"?: string[] })["Fn::GetAtt"];
      return `<${ref ?? getAtt?.join(".") ?? JSON.stringify(part)}>`;
    })
    .join(join[0]);
}

/** The one resource of `type` in the template; throws when there is none or more than one. */
/** The one resource of `type` whose logical id starts with `prefix` (the construct's id). */
export function resourceNamed(template: Template, type: string, prefix: string): Resources[string] {
  const found = Object.entries(resourcesOf(template, type)).filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1 || !found[0])
    throw new Error(`expected one ${type} ${prefix}*, found ${found.length}`);
  return found[0][1];
}

export function single(template: Template, type: string): Resources[string] {
  const found = Object.values(resourcesOf(template, type));
  if (found.length !== 1 || !found[0]) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
}

/** The config the stack ships to its Lambdas: the file in the layer's staged asset (infra/config-layer.ts). */
export function shippedConfig(app: App, template: Template): unknown {
  const layer = single(template, "AWS::Lambda::LayerVersion");
  const key = (layer.Properties.Content as { S3Key: string }).S3Key;
  const assetDir = join(app.synth().directory, `asset.${key.replace(/\.zip$/, "")}`);
  return JSON.parse(readFileSync(join(assetDir, CONFIG_LAYER_FILE), "utf8"));
}
