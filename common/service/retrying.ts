// Retrying an idempotent start-up step while the error says retrying can help.
import type { Logger } from '../log.ts';

/** A busy broker can answer UNKNOWN_TOPIC_OR_PARTITION right after creating a topic: such steps are retried until timeoutMs. */
export async function retrying<T>(step: () => Promise<T>, log: Logger, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if ((error as { retriable?: unknown }).retriable !== true || Date.now() > deadline) throw error;
      log.warn(`${what} failed; retrying`, { attempt, error });
      await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** attempt)));
    }
  }
}
