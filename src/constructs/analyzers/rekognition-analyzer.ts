import { Duration, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AnalyzerOptions } from './analyzer-options';
import { resolveAnalyzerOptions, ResolvedAnalyzerOptions } from './analyzer-settings';
import { AnalyzerBindOptions, AnalyzerBinding, IImageAnalyzer } from './image-analyzer';
import { ImageSelection } from './image-selection';
import { assertInRange, bindBatchFunction, createServiceAnalyzerFunction } from './service-analyzer-function';
import { CUSTOM_LABELS_IMAGE_LIMITS, DETECT_LABELS_IMAGE_LIMITS } from '../../core/service-answers/image-limits';
import { customLabelsModel, DETECT_LABELS_MODEL_ID, isProjectVersionArn } from '../../core/service-answers/rekognition-answer';
import { RekognitionSettings } from '../../core/service-answers/settings';

const REKOGNITION_BUNDLE = 'analyzers/rekognition.lambda';
const KIND = 'Analyzer.rekognition';

/** The most labels an image may report (the result contract allows 200 findings per image). */
const MAX_LABELS = 200;

/**
 * Options for the Amazon Rekognition analyzer.
 */
export interface RekognitionAnalyzerOptions extends AnalyzerOptions {
  /**
   * ARN of an Amazon Rekognition Custom Labels model version
   * (`arn:aws:rekognition:<region>:<account>:project/<project>/version/<version>/<created>`):
   * the analyzer calls DetectCustomLabels with it. The model must be running
   * (StartProjectVersion) while studies arrive; a stopped one records FAILED
   * with errorCode MODEL_NOT_AVAILABLE.
   * @default - general labels (DetectLabels)
   */
  readonly projectVersionArn?: string;

  /**
   * Lowest confidence of a label to report, on Rekognition's 0-100 scale
   * (findings carry it as 0..1).
   * @default - the service's default: 55 for DetectLabels, each label's assumed threshold for Custom Labels
   */
  readonly minConfidence?: number;

  /**
   * Most findings per image (1-200): labels, or located instances of a label.
   * @default 20
   */
  readonly maxLabels?: number;

  /**
   * Function memory in MiB.
   * @default 512
   */
  readonly memorySize?: number;
}

/**
 * Amazon Rekognition image labels on each analysis PNG (the handler in
 * `analyzers/rekognition.lambda`): DetectLabels, or DetectCustomLabels for a
 * Custom Labels model version trained on your own images. The image is sent as
 * bytes after its size was checked (DetectLabels: 5 MB, 80-10,000 px a side;
 * Custom Labels: 4 MB, 64-4,096 px): one outside the limits records FAILED with
 * errorCode IMAGE_TOO_LARGE (or INVALID_REQUEST when too small) without a call.
 * Confidence is mapped from 0-100 to 0..1, bounding boxes become regions.
 * Studies whose images are all below the service's smallest size (80 px, or
 * 64 px for Custom Labels) are SKIPPED with IMAGE_TOO_SMALL: that minimum is
 * added to any applicability rule given.
 *
 * Defaults: name 'rekognition' (or 'rekognition-custom-labels'), the middle
 * image of each series (`ImageSelection.representative()`), one image per
 * batch, 5 batches at a time (within DetectLabels' default 5-50 TPS; a Custom
 * Labels model's rate depends on its inference units), 30 seconds per batch.
 *
 * Grants: `s3:GetObject` on the derived-images bucket's `studies/*` and
 * `kms:Decrypt` through S3 only; `rekognition:DetectCustomLabels` on the model
 * version ARN, or `rekognition:DetectLabels` on `*` (it has no resource-level
 * permissions).
 */
export class RekognitionAnalyzer implements IImageAnalyzer {
  private readonly options: RekognitionAnalyzerOptions;
  private readonly settings: ResolvedAnalyzerOptions;

  constructor(options: RekognitionAnalyzerOptions = {}) {
    this.options = options;
    const custom = options.projectVersionArn;
    this.settings = resolveAnalyzerOptions(KIND, options, {
      name: custom === undefined ? 'rekognition' : 'rekognition-custom-labels',
      selection: ImageSelection.representative(),
      timeout: Duration.seconds(30),
      batchSize: 1,
      maxConcurrency: 5,
    });
    const name = this.settings.name;
    if (custom !== undefined && !Token.isUnresolved(custom) && !isProjectVersionArn(custom)) {
      throw new Error(`${KIND} '${name}': projectVersionArn must be a Custom Labels model version ARN `
        + `(arn:aws:rekognition:<region>:<account>:project/<project>/version/<version>/<created>), got '${custom}'.`);
    }
    assertInRange(KIND, name, 'minConfidence', options.minConfidence, 0, 100);
    assertInRange(KIND, name, 'maxLabels', options.maxLabels, 1, MAX_LABELS, true);
    assertInRange(KIND, name, 'memorySize', options.memorySize, 128, 10240, true);
  }

  public bind(scope: Construct, options: AnalyzerBindOptions): AnalyzerBinding {
    const s = this.settings;
    const custom = this.options.projectVersionArn;
    const settings: RekognitionSettings = {
      service: 'rekognition',
      maxLabels: this.options.maxLabels ?? 20,
      ...(custom === undefined ? {} : { projectVersionArn: custom }),
      ...(this.options.minConfidence === undefined ? {} : { minConfidence: this.options.minConfidence }),
    };
    const fn = createServiceAnalyzerFunction(scope, options, {
      bundle: REKOGNITION_BUNDLE,
      description: `Rekognition analyzer '${s.name}' (${custom === undefined ? 'DetectLabels' : 'Custom Labels'})`,
      settings,
      memorySize: this.options.memorySize ?? 512,
      timeout: s.timeout,
      kind: KIND,
      analyzerName: s.name,
    });
    if (custom === undefined) {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['rekognition:DetectLabels'], resources: ['*'] }));
      Validations.of(fn.role!).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'rekognition:DetectLabels does not support resource-level permissions, so its statement names Resource "*"; it is the only Rekognition action granted.',
      });
    } else {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['rekognition:DetectCustomLabels'], resources: [custom] }));
    }
    // The service's smallest image joins the applicability rule: smaller studies are skipped, not failed.
    const minimum = custom === undefined ? DETECT_LABELS_IMAGE_LIMITS.minDimension : CUSTOM_LABELS_IMAGE_LIMITS.minDimension;
    const applicability = {
      ...s.applicability,
      minImageWidth: Math.max(s.applicability?.minImageWidth ?? 0, minimum),
      minImageHeight: Math.max(s.applicability?.minImageHeight ?? 0, minimum),
    };
    const model = custom === undefined || Token.isUnresolved(custom)
      ? { modelId: custom === undefined ? DETECT_LABELS_MODEL_ID : 'amazon-rekognition-custom-labels', modelVersion: 'unknown' }
      : customLabelsModel(custom);
    return bindBatchFunction(scope, options, fn, { ...s, applicability }, model);
  }
}
