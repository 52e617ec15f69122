// aws-local-stepfunctions needs Promise.withResolvers (Node 22+); this maintained es-shims
// polyfill provides it on Node 20, the Node this project supports.
import "promise.withresolvers/auto";

// The AWS SDK warns once per process that its releases after January 2027 need Node 22; this
// project supports Node 20 on purpose (see README), so the test output skips that notice through
// the SDK's own switch. Other warnings still print.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
