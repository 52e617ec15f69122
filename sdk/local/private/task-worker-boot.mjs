// Entry of a task worker thread when stepflow runs from source: user flows are TypeScript, so tsx
// is registered before the worker loads its own code and the flow modules (hooks registered in the
// parent do not reach workers). The compiled CLI starts its workers from its bundle instead.
import { register } from "tsx/esm/api";

register();
const { serveTasks } = await import("./task-worker-main.ts");
serveTasks();
