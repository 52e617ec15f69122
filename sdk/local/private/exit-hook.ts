/**
 * Last-resort endings for local runs still open when the process exits (a second Ctrl-C, a
 * `process.exit` while tasks run): one `exit` listener for the whole process, calling each open
 * run's ending. Endings must write synchronously, as the local history store does, since
 * nothing asynchronous runs after `exit`.
 */
const open = new Set<() => void>();
let installed = false;

function onExit(): void {
  for (const end of open) {
    try {
      end();
    } catch {
      // The process is exiting: a history that cannot be written now cannot be reported either.
    }
  }
  open.clear();
}

/** Registers `end` to run if the process exits before the returned function is called. */
export function onExitWhileOpen(end: () => void): () => void {
  if (!installed) {
    process.on("exit", onExit);
    installed = true;
  }
  open.add(end);
  return () => {
    open.delete(end);
  };
}
