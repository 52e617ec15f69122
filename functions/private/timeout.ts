/**
 * Runs `fn`, rejecting with `onTimeout()` if it has not settled after `seconds`. The function
 * cannot be stopped, but its late result is ignored; on Lambda the container freezes anyway.
 */
export async function withTimeout<T>(
  fn: () => T | Promise<T>,
  seconds: number,
  onTimeout: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), seconds * 1000);
  });
  try {
    return await Promise.race([Promise.resolve().then(fn), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
