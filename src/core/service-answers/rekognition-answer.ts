/**
 * Rekognition's answers (DetectLabels, DetectCustomLabels) as findings:
 * confidence from the service's 0-100 scale to 0..1, bounding boxes as regions.
 * The shapes below are the parts of the documented responses that are read.
 */
import { findingLabel } from './labels';
import { FractionBox, regionFromBox } from './region';
import { AnalyzerFinding } from '../../shared/analyzer-result';

export interface RekognitionLabel {
  readonly Name?: string;
  readonly Confidence?: number;
  /** Where each instance of an object label is (empty for scene and concept labels). */
  readonly Instances?: ReadonlyArray<{ readonly BoundingBox?: FractionBox; readonly Confidence?: number }>;
}

export interface RekognitionCustomLabel {
  readonly Name?: string;
  readonly Confidence?: number;
  readonly Geometry?: { readonly BoundingBox?: FractionBox };
}

/** Model id recorded for DetectLabels (its version is the response's LabelModelVersion). */
export const DETECT_LABELS_MODEL_ID = 'amazon-rekognition-detect-labels';

/** A confidence on the 0-100 scale as 0..1 (to 6 decimals: no float noise such as 0.08800000000000001); undefined when not a number. */
export function fractionOfPercent(percent: unknown): number | undefined {
  if (typeof percent !== 'number' || !Number.isFinite(percent)) return undefined;
  return Math.min(1, Math.max(0, Math.round(percent * 10_000) / 1_000_000));
}

function finding(name: unknown, percent: unknown, imageRef: string, box?: FractionBox): AnalyzerFinding | undefined {
  const label = findingLabel(name);
  const confidence = fractionOfPercent(percent);
  if (label === undefined || confidence === undefined) return undefined;
  const region = regionFromBox(box);
  return { label, confidence, imageRef, ...(region === undefined ? {} : { region }) };
}

const defined = <T>(value: T | undefined): value is T => value !== undefined;

/**
 * One finding per located instance of an object label (its own confidence and
 * box), one whole-image finding per other label; at most `maxFindings`,
 * in the service's order (highest confidence first).
 */
export function findingsFromLabels(labels: readonly RekognitionLabel[] | undefined, imageRef: string, maxFindings: number): AnalyzerFinding[] {
  const findings = (labels ?? []).flatMap((label) => {
    const located = (label.Instances ?? []).filter((instance) => instance.BoundingBox !== undefined);
    if (located.length === 0) return [finding(label.Name, label.Confidence, imageRef)];
    return located.map((instance) => finding(label.Name, instance.Confidence ?? label.Confidence, imageRef, instance.BoundingBox));
  });
  return findings.filter(defined).slice(0, maxFindings);
}

/** One finding per custom label, with its box when the model locates objects. */
export function findingsFromCustomLabels(
  labels: readonly RekognitionCustomLabel[] | undefined, imageRef: string, maxFindings: number,
): AnalyzerFinding[] {
  return (labels ?? [])
    .map((label) => finding(label.Name, label.Confidence, imageRef, label.Geometry?.BoundingBox))
    .filter(defined)
    .slice(0, maxFindings);
}

const PROJECT_VERSION_ARN = /^arn:aws[a-z-]*:rekognition:[a-z0-9-]+:\d{12}:project\/([A-Za-z0-9_.-]{1,255})\/version\/([A-Za-z0-9_.-]{1,255})\/\d+$/;

/** True for a Custom Labels model version ARN (`...:project/<project>/version/<version>/<created>`). */
export function isProjectVersionArn(arn: string): boolean {
  return PROJECT_VERSION_ARN.test(arn);
}

/** The model id and version a Custom Labels project version is recorded as. */
export function customLabelsModel(projectVersionArn: string): { modelId: string; modelVersion: string } {
  const match = PROJECT_VERSION_ARN.exec(projectVersionArn);
  if (match === null) return { modelId: 'amazon-rekognition-custom-labels', modelVersion: 'unknown' };
  return { modelId: `rekognition-custom-labels/${match[1]}`.slice(0, 128), modelVersion: match[2].slice(0, 128) };
}
