/**
 * At most `limit` tasks running at once; the rest wait in order. The runner uses it to bound
 * simultaneous connection attempts, so N stations ramp up instead of storming the CSMS.
 */
export function createLimiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  const next = (): void => {
    if (running >= limit) return;
    const start = waiting.shift();
    if (start) start();
  };
  return <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      waiting.push(() => {
        running++;
        task()
          .then(resolve, reject)
          .finally(() => {
            running--;
            next();
          });
      });
      next();
    });
}
