/**
 * The typed reason a piece of work is refused with. Any other error is
 * rethrown, so a crash never passes for a rejection; `kind` narrows the check
 * to one subclass (IngestRejection, ImageRejection, ...) where the layer under
 * test must throw that one.
 */
import { InputRejection } from '../../src/shared/rejection';

type RejectionClass = typeof InputRejection;

function reasonOrRethrow(e: unknown, kind: RejectionClass): string {
  if (e instanceof kind) return e.reasonCode;
  throw e;
}

/** The reason code `run` throws, or undefined when it returns. */
export function reasonOf(run: () => unknown, kind: RejectionClass = InputRejection): string | undefined {
  try {
    run();
  } catch (e) {
    return reasonOrRethrow(e, kind);
  }
  return undefined;
}

/** The reason code the promise of `run` rejects with, or undefined when it resolves. */
export async function reasonOfAsync(run: () => Promise<unknown>, kind: RejectionClass = InputRejection): Promise<string | undefined> {
  try {
    await run();
  } catch (e) {
    return reasonOrRethrow(e, kind);
  }
  return undefined;
}
