/**
 * GET /studies/{studyKey}: what a reviewer needs to decide on the study's
 * current version: its summary, the analyzers' outcomes, every triaged finding
 * with the index a decision's amendments refer to, and short-lived presigned
 * preview URLs for the images the findings name (plus a few others). Bounded
 * whatever the size of the study.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { isOverdue, reviewOrNotFound, studyOrNotFound } from './held-studies';
import { TriagedFinding } from '../../../core/findings';
import { AnalyzerFinding } from '../../../shared/analyzer-result';
import { FindingAction } from '../../../shared/finding-rules';
import { TableContext } from '../../storage/context';
import { InstanceRecord } from '../../storage/instances';
import { firstImages, getImage } from '../../storage/study-images';
import { loadTriage } from '../stored-results';

export const MAX_VIEW_FINDINGS = 200;
/** Previews of images the findings name (reported findings first). */
export const MAX_FINDING_PREVIEWS = 12;
/** Previews of other images of the study, for context. */
export const MAX_OTHER_PREVIEWS = 3;

export interface StudyViewDeps {
  readonly table: TableContext;
  readonly s3: S3Client;
  /** Bucket of the de-identified previews. */
  readonly derivedBucket: string;
  readonly previewUrlExpirySeconds: number;
  readonly clock?: () => Date;
}

export interface ViewFinding extends Pick<AnalyzerFinding, 'label' | 'code' | 'codeSystem' | 'confidence' | 'imageRef' | 'region'> {
  /** What `findingIndex` of an amendment names. */
  readonly index: number;
  readonly analyzerName: string;
  readonly action: FindingAction;
  readonly priority: string;
}

export interface ViewPreview {
  readonly imageRef: string;
  readonly url: string;
  readonly expiresAt: string;
  readonly width: number;
  readonly height: number;
  readonly namedByFindings: boolean;
}

function viewFinding(t: TriagedFinding, index: number): ViewFinding {
  const f = t.finding;
  return {
    index,
    analyzerName: t.analyzerName,
    action: t.action,
    priority: t.priority,
    label: f.label,
    confidence: f.confidence,
    imageRef: f.imageRef,
    ...(f.code === undefined ? {} : { code: f.code, codeSystem: f.codeSystem }),
    ...(f.region === undefined ? {} : { region: f.region }),
  };
}

/** Image references the findings name, reported findings first, without repeats. */
export function namedImageRefs(triage: readonly TriagedFinding[], limit: number): string[] {
  const reportedFirst = [...triage.filter((t) => t.action !== FindingAction.SUPPRESS), ...triage.filter((t) => t.action === FindingAction.SUPPRESS)];
  return [...new Set(reportedFirst.map((t) => t.finding.imageRef))].slice(0, limit);
}

async function previewsOf(deps: StudyViewDeps, studyKey: string, triage: readonly TriagedFinding[], now: Date): Promise<ViewPreview[]> {
  const named = namedImageRefs(triage, MAX_FINDING_PREVIEWS);
  const namedImages = (await Promise.all(named.map((ref) => getImage(deps.table, studyKey, ref))))
    .filter((i): i is InstanceRecord => i !== undefined);
  const others = (await firstImages(deps.table, studyKey, MAX_FINDING_PREVIEWS + MAX_OTHER_PREVIEWS))
    .filter((i) => !named.includes(`${i.seriesKey}/${i.instanceKey}`))
    .slice(0, MAX_OTHER_PREVIEWS);
  const expiresIn = deps.previewUrlExpirySeconds;
  const expiresAt = new Date(now.getTime() + expiresIn * 1000).toISOString();
  const sign = async (image: InstanceRecord, namedByFindings: boolean): Promise<ViewPreview> => ({
    imageRef: `${image.seriesKey}/${image.instanceKey}`,
    url: await getSignedUrl(deps.s3, new GetObjectCommand({ Bucket: deps.derivedBucket, Key: image.previewKey }), { expiresIn }),
    expiresAt,
    width: image.width,
    height: image.height,
    namedByFindings,
  });
  return Promise.all([...namedImages.map((i) => sign(i, true)), ...others.map((i) => sign(i, false))]);
}

export async function studyView(deps: StudyViewDeps, studyKey: string): Promise<Record<string, unknown>> {
  const now = (deps.clock ?? (() => new Date()))();
  const meta = await studyOrNotFound(deps.table, studyKey);
  const review = await reviewOrNotFound(deps.table, studyKey, meta.version);
  const triage = (await loadTriage(deps.s3, review.aggregate)) ?? [];
  const { aggregate } = review;
  return {
    studyKey,
    version: meta.version,
    status: meta.status,
    modality: meta.modality,
    instanceCount: meta.instanceCount,
    priority: review.priority,
    overdue: isOverdue({ ...meta, reviewDeadline: review.deadline }, now),
    review: {
      status: review.reviewStatus,
      requestedAt: review.requestedAt,
      deadline: review.deadline,
      reasons: aggregate.reviewReasons,
      ...(review.decision === undefined ? {} : { decision: review.decision, decidedAt: review.decidedAt }),
    },
    summary: {
      findingCount: aggregate.findingCount,
      heldCount: aggregate.heldCount,
      suppressedCount: aggregate.suppressedCount,
      maxConfidence: aggregate.maxConfidence,
    },
    analyzers: review.results.map((r) => ({
      analyzerName: r.analyzerName,
      modelId: r.modelId,
      modelVersion: r.modelVersion,
      status: r.status,
      findingCount: r.findingCount,
      imageCount: r.imageCount,
      failedImageCount: r.failedImageCount,
      ...(r.errorCode === undefined ? {} : { errorCode: r.errorCode }),
      ...(r.skipReason === undefined ? {} : { skipReason: r.skipReason }),
    })),
    findings: triage.slice(0, MAX_VIEW_FINDINGS).map(viewFinding),
    findingsTotal: triage.length,
    findingsTruncated: triage.length > MAX_VIEW_FINDINGS,
    previews: await previewsOf(deps, studyKey, triage, now),
  };
}
