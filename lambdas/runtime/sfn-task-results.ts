import type { SFNClient } from "@aws-sdk/client-sfn";
import type { TaskResultSender } from "#service/services";

/**
 * Step Functions' SendTaskSuccess / SendTaskFailure (cause cut to the API's 32,768 characters). `sfn` makes the
 * client on first use: the SDK package loads on the first task result, not when the webhook function starts.
 */
export class SfnTaskResults implements TaskResultSender {
  constructor(private readonly sfn: () => Promise<SFNClient>) {}

  async succeed(taskToken: string, output: unknown): Promise<void> {
    const [{ SendTaskSuccessCommand }, sfn] = await Promise.all([import("@aws-sdk/client-sfn"), this.sfn()]);
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
  }

  async fail(taskToken: string, error: string, cause: string): Promise<void> {
    const [{ SendTaskFailureCommand }, sfn] = await Promise.all([import("@aws-sdk/client-sfn"), this.sfn()]);
    await sfn.send(new SendTaskFailureCommand({ taskToken, error, cause: cause.slice(0, 32_768) }));
  }
}
