import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { FileSystem } from "aws-cdk-lib";
import { Code, type Function as LambdaFunction, LayerVersion } from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import type { QuotaGuardConfig } from "#config/config";
import { CONFIG_FILE_PATH, CONFIG_LAYER_FILE } from "#runtime/config-source";
import { ENV } from "#runtime/environment";

/**
 * The validated config as a file in a Lambda layer that every function mounts at /opt (read by
 * lambdas/runtime/config-source.ts). A layer rather than a file in each bundle: a config change makes a new
 * layer version and leaves the code assets as they were, and the file is staged as a plain asset, so a synth
 * that skips bundling still ships it. Why not the environment or SSM: docs/design-notes.md.
 */
export class ConfigLayer extends Construct {
  readonly layer: LayerVersion;

  constructor(scope: Construct, id: string, config: QuotaGuardConfig) {
    super(scope, id);
    const dir = FileSystem.mkdtemp("quota-guard-config-");
    const file = join(dir, CONFIG_LAYER_FILE);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(config));
    this.layer = new LayerVersion(this, "Layer", {
      code: Code.fromAsset(dir),
      description: "HeyGen Quota Guard config, validated at synth (secret names only, never a key)",
    });
  }

  /** Mounts the layer on `fn` and tells it where the file is. */
  attachTo(fn: LambdaFunction): void {
    fn.addLayers(this.layer);
    fn.addEnvironment(ENV.config, CONFIG_FILE_PATH);
  }
}
