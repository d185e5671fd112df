/** Selected images in batches of at most `batchSize`: one analyzer invocation each. */
import { MAX_BATCH_SIZE } from '../../shared/analysis-plan';
import { ImageBatch, ImageReference } from '../../shared/analyzer-result';

export function toBatches(images: readonly ImageReference[], batchSize: number): ImageBatch[] {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new RangeError(`batchSize must be a whole number from 1 to ${MAX_BATCH_SIZE}`);
  }
  const count = Math.ceil(images.length / batchSize);
  return Array.from({ length: count }, (_, index) => ({
    index,
    count,
    images: images.slice(index * batchSize, (index + 1) * batchSize),
  }));
}
