// aws-local-stepfunctions needs Promise.withResolvers (Node 22+); this maintained es-shims
// polyfill provides it on Node 20, the Node this project supports.
import "promise.withresolvers/auto";
