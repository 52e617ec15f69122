/**
 * The process state a test file may change and must hand back: environment variables and the
 * working directory. The unit tier runs several files in one process (`isolate: false`), so a
 * change left behind reaches the next file, and task worker threads share the environment
 * (`SHARE_ENV`) only through the real `process.env` object.
 */

/** The process's real environment object, taken when this module first loads in the process. */
const realEnv = process.env;

/** What `restoreProcessState` puts back. */
export interface ProcessState {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** The environment variables and working directory as they are now. */
export function saveProcessState(): ProcessState {
  return { env: { ...process.env }, cwd: process.cwd() };
}

/**
 * Puts `state` back in place: the real environment object again if a test replaced it (worker
 * threads would no longer see changes), the variables as saved, the working directory.
 */
export function restoreProcessState(state: ProcessState): void {
  if (process.env !== realEnv) process.env = realEnv;
  for (const name of Object.keys(process.env)) if (!(name in state.env)) delete process.env[name];
  Object.assign(process.env, state.env);
  if (process.cwd() !== state.cwd) process.chdir(state.cwd);
}
