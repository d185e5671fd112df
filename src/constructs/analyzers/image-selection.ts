import { ImageSelectionStrategy } from '../../shared/analysis-plan';
import { ImageSelectionSpec } from '../../shared/workflow';

/**
 * Which of a study's images an analyzer sees (after its applicability rule).
 * A CT can have thousands of images: a model that reads one image at a time
 * usually wants `representative()` or `atMostPerSeries(k)`, not `all()`.
 */
export class ImageSelection {
  /** Every image. */
  public static all(): ImageSelection {
    return new ImageSelection(ImageSelectionStrategy.ALL);
  }

  /** The middle image of each series (by Instance Number, else upload order). */
  public static representative(): ImageSelection {
    return new ImageSelection(ImageSelectionStrategy.REPRESENTATIVE);
  }

  /** Every n-th image of each series, starting with the first. */
  public static everyNth(n: number): ImageSelection {
    return new ImageSelection(ImageSelectionStrategy.EVERY_NTH, n);
  }

  /** At most `count` images of each series, evenly spaced. */
  public static atMostPerSeries(count: number): ImageSelection {
    return new ImageSelection(ImageSelectionStrategy.AT_MOST_PER_SERIES, count);
  }

  /** At most `count` images of the whole study, evenly spaced over its series. */
  public static atMostPerStudy(count: number): ImageSelection {
    return new ImageSelection(ImageSelectionStrategy.AT_MOST_PER_STUDY, count);
  }

  /** The strategy. */
  public readonly strategy: ImageSelectionStrategy;
  /** n of `everyNth`, `atMostPerSeries` and `atMostPerStudy`. */
  public readonly count?: number;

  private constructor(strategy: ImageSelectionStrategy, count?: number) {
    if (count !== undefined && !(Number.isInteger(count) && count >= 1)) {
      throw new Error(`ImageSelection: ${strategy} needs a whole number of at least 1, got ${count}.`);
    }
    this.strategy = strategy;
    this.count = count;
  }

  /** The selection as the plan step reads it. @internal */
  public _spec(): ImageSelectionSpec {
    return this.count === undefined ? { strategy: this.strategy } : { strategy: this.strategy, count: this.count };
  }
}
