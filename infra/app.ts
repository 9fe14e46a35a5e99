import { ConfigError } from "#config/config";
import { createApp } from "./create-app.ts";

try {
  createApp().app.synth();
} catch (error) {
  // A config mistake is the user's to fix: show which fields are wrong, not a stack trace.
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
