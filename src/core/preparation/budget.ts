/**
 * The memory and time one object may take, so that an object too costly for
 * the function ends in a typed rejection (quarantined, announced) instead of
 * an out-of-memory crash or a timeout, whose message would only be retried
 * until it reached the dead-letter queue.
 */
import { IngestRejection } from './rejection';
import { RejectionReason } from '../../shared/events';

/**
 * Share of the function's memory that an object's decoded pixel data (all
 * frames, or the inflated data set of a deflated object) may take. The rest
 * holds the input, the decoded frame, the 8-bit preview, its PNG and the
 * analysis copy (measured: a 600 MB deflated data set peaks near 1.4 GB).
 */
export const DECODED_MEMORY_SHARE = 1 / 3;

/** Largest decoded size for a process of `memoryMb` megabytes (Lambda's memory setting). */
export function decodedBytesBudget(memoryMb: number): number {
  return Math.floor(memoryMb * 2 ** 20 * DECODED_MEMORY_SHARE);
}

/** The tighter of a configured bound and the memory budget (when the memory is known). */
export function boundedByMemory(configured: number, memoryMb: number | undefined): number {
  return memoryMb !== undefined && memoryMb > 0 ? Math.min(configured, decodedBytesBudget(memoryMb)) : configured;
}

/**
 * Refuses the object once `deadline` (ms since the epoch) has passed. Called
 * between the steps of a preparation: a step itself is bounded by the size
 * limits, so the overrun is at most one step.
 */
export function assertWithinTimeBudget(deadline: number | undefined): void {
  if (deadline !== undefined && Date.now() > deadline) {
    throw new IngestRejection(RejectionReason.TOO_LARGE, 'Object exceeds the processing time budget');
  }
}
