/**
 * Imported first by `npm start` (before any AWS SDK client exists): the SDK's warning that its releases
 * after January 2027 need Node 22 says nothing about this stack and would be printed at every start. The
 * README's troubleshooting says it once instead. An explicit value in the environment wins.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
