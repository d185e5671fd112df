/**
 * `Analysis Requested` events: what they may ask for. Pure: parsing the detail
 * and checking it against the sources the pipeline was granted to read.
 */
import { ANALYSIS_REQUEST_VERSION, AnalysisRequestedDetail, StudyAnalysisRequestedDetail } from '../../shared/events';

/** A bucket (and key prefix within it) the pipeline may read objects from. */
export interface ReadableSource {
  readonly bucket: string;
  /** '' = the whole bucket. */
  readonly prefix: string;
}

export type AnalysisRequest =
  | { readonly kind: 'OBJECT'; readonly bucket: string; readonly key: string; readonly size?: number; readonly versionId?: string }
  | { readonly kind: 'PREFIX'; readonly bucket: string; readonly prefix: string };

/** Why a request is refused; the message names the field, never its value (keys may hold PHI). */
export class InvalidAnalysisRequest extends Error {
  constructor(problem: string) {
    super(`Invalid Analysis Requested event: ${problem}`);
    this.name = 'InvalidAnalysisRequest';
  }
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function parseAnalysisRequest(detail: unknown): AnalysisRequest {
  if (typeof detail !== 'object' || detail === null) throw new InvalidAnalysisRequest('detail is not an object');
  const fields = detail as Partial<Record<keyof AnalysisRequestedDetail, unknown>>;
  if (fields.version !== ANALYSIS_REQUEST_VERSION) {
    throw new InvalidAnalysisRequest(`version must be "${ANALYSIS_REQUEST_VERSION}"`);
  }
  if (isStudyAnalysisRequest(detail)) throw new InvalidAnalysisRequest('a studyKey request is for the re-analysis, not for ingest');
  const bucket = nonEmptyString(fields.bucket);
  if (bucket === undefined) throw new InvalidAnalysisRequest('bucket is missing');
  const key = nonEmptyString(fields.key);
  const prefix = nonEmptyString(fields.prefix);
  if ((key === undefined) === (prefix === undefined)) {
    throw new InvalidAnalysisRequest('exactly one of key and prefix is required');
  }
  if (key !== undefined) {
    const size = typeof fields.size === 'number' && Number.isInteger(fields.size) && fields.size >= 0 ? fields.size : undefined;
    const versionId = nonEmptyString(fields.versionId);
    return { kind: 'OBJECT', bucket, key, ...(size === undefined ? {} : { size }), ...(versionId === undefined ? {} : { versionId }) };
  }
  return { kind: 'PREFIX', bucket, prefix: prefix! };
}

/**
 * Whether the object (or every object under the prefix) lies inside one of the
 * sources. Keys under `excludedPrefixes` (the quarantine) are never readable.
 */
export function isReadable(
  request: AnalysisRequest,
  sources: readonly ReadableSource[],
  excludedPrefixes: readonly ReadableSource[] = [],
): boolean {
  const path = request.kind === 'OBJECT' ? request.key : request.prefix;
  const inside = (source: ReadableSource) => source.bucket === request.bucket && path.startsWith(source.prefix);
  // A prefix request overlapping an excluded prefix (e.g. '' over 'quarantine/') is refused as a whole.
  const overlaps = (excluded: ReadableSource) => excluded.bucket === request.bucket
    && (path.startsWith(excluded.prefix) || (request.kind === 'PREFIX' && excluded.prefix.startsWith(path)));
  return sources.some(inside) && !excludedPrefixes.some(overlaps);
}

/** Reads the sources the constructs configure (JSON list of `{bucket, prefix}`). */
export function readableSourcesFromJson(json: string | undefined): ReadableSource[] {
  if (json === undefined || json === '') return [];
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed)) throw new Error('Referenced sources must be a JSON list');
  return parsed.map((entry) => {
    const { bucket, prefix } = entry as { bucket?: unknown; prefix?: unknown };
    if (typeof bucket !== 'string' || bucket === '' || typeof prefix !== 'string') {
      throw new Error('Each referenced source needs a bucket name and a prefix');
    }
    return { bucket, prefix };
  });
}

/** A stored study to analyse again (the study form, served by the re-analysis). */
export interface StudyAnalysisRequest {
  readonly kind: 'STUDY';
  readonly studyKey: string;
  /** Analyzers to run again. @default - every analyzer of the workflow */
  readonly analyzers?: readonly string[];
}

const STUDY_KEY = /^[a-z2-7]{26}$/;
const ANALYZER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Whether the detail is of the study form (it names a study, not an object). */
export function isStudyAnalysisRequest(detail: unknown): boolean {
  return typeof detail === 'object' && detail !== null && 'studyKey' in detail;
}

export function parseStudyAnalysisRequest(detail: unknown): StudyAnalysisRequest {
  if (typeof detail !== 'object' || detail === null) throw new InvalidAnalysisRequest('detail is not an object');
  const fields = detail as Partial<Record<keyof StudyAnalysisRequestedDetail | 'bucket' | 'key' | 'prefix', unknown>>;
  if (fields.version !== ANALYSIS_REQUEST_VERSION) throw new InvalidAnalysisRequest(`version must be "${ANALYSIS_REQUEST_VERSION}"`);
  if (typeof fields.studyKey !== 'string' || !STUDY_KEY.test(fields.studyKey)) throw new InvalidAnalysisRequest('studyKey must be a pseudonymous study key');
  if (fields.bucket !== undefined || fields.key !== undefined || fields.prefix !== undefined) {
    throw new InvalidAnalysisRequest('a studyKey request names no bucket, key or prefix');
  }
  const analyzers = fields.analyzers;
  if (analyzers !== undefined
    && (!Array.isArray(analyzers) || analyzers.length === 0 || !analyzers.every((a) => typeof a === 'string' && ANALYZER_NAME.test(a)))) {
    throw new InvalidAnalysisRequest('analyzers must be a non-empty list of analyzer names');
  }
  return { kind: 'STUDY', studyKey: fields.studyKey, ...(analyzers === undefined ? {} : { analyzers: analyzers as string[] }) };
}
