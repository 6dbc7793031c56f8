/**
 * A Redis that just failed is assumed down for `cooldownMs`: calls fail at
 * once instead of each waiting out its command timeout, so a cache or a rate
 * limit in front of every request costs nothing while Redis is away. One call
 * per cooldown goes through to find out whether it is back.
 */
export function fastFail(options: { cooldownMs?: number; now?: () => number } = {}) {
  const cooldownMs = options.cooldownMs ?? 2000;
  const now = options.now ?? Date.now;
  let downUntil = 0;
  return async function run<T>(call: () => Promise<T>): Promise<T> {
    const t = now();
    if (t < downUntil) throw new Error('redis is unavailable (failing fast after a recent error)');
    try {
      return await call();
    } catch (err) {
      downUntil = now() + cooldownMs;
      throw err;
    }
  };
}
