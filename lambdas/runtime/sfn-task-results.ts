import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from "@aws-sdk/client-sfn";
import type { TaskResultSender } from "#service/services";

/** Step Functions' SendTaskSuccess / SendTaskFailure (cause cut to the API's 32,768 characters). */
export class SfnTaskResults implements TaskResultSender {
  constructor(private readonly sfn: SFNClient) {}

  async succeed(taskToken: string, output: unknown): Promise<void> {
    await this.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
  }

  async fail(taskToken: string, error: string, cause: string): Promise<void> {
    await this.sfn.send(new SendTaskFailureCommand({ taskToken, error, cause: cause.slice(0, 32_768) }));
  }
}
