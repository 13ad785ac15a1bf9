import { HarnessError } from '../harness/errors.js';

/**
 * Runs one phase of the bench with a deadline, so the bench always stops. The phase itself is not
 * cancelled (Playwright calls cannot be); the cleanup that follows closes what it was using, and
 * its late rejection is swallowed here because the timeout already reported it.
 */
export async function bounded<T>(what: string, timeoutMs: number, run: () => Promise<T>): Promise<T> {
  const work = run();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      work.catch(() => undefined);
      reject(new HarnessError('ERR_TIMEOUT', `${what} did not finish within ${(timeoutMs / 1000).toFixed(0)} s`, {
        context: { what, timeoutMs },
        hint: 'Rerun with a smaller BENCH_FILE_MIB, or raise BENCH_TRANSFER_TIMEOUT_S if this machine is just slow.',
      }));
    }, timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
