// Entry of a task worker thread: user flows are TypeScript, so tsx is registered before the worker
// loads its own code and the flow modules (hooks registered in the parent do not reach workers).
import { register } from "tsx/esm/api";

register();
await import("./task-worker-main.ts");
