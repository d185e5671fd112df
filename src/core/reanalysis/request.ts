/**
 * What a re-analysis run is asked to do: which analyzers to run again, over
 * which past studies (an explicit list, or completed studies received in a date
 * range and/or of some modalities). Pure: parsing and checking the request.
 */

/** Studies one run may name explicitly (a larger set is selected by date range or modality). */
export const MAX_LISTED_STUDIES = 10_000;

/** Pseudonymous study keys (lowercase base32, see schemas/events/common.v1.schema.json). */
const STUDY_KEY = /^[a-z2-7]{26}$/;
/** Run ids name S3 prefixes and appear in the run's event: letters, digits, '-' and '_' only. */
const RUN_ID = /^[A-Za-z0-9_-]{1,80}$/;
const MODALITY = /^[A-Z0-9]{1,16}$/;

/** Which past studies a run covers. */
export interface ReanalysisSelection {
  /** These studies only (every other filter is ignored). */
  readonly studyKeys?: readonly string[];
  /** Studies first received at or after this instant (ISO-8601). */
  readonly receivedFrom?: string;
  /** Studies first received before this instant (ISO-8601). */
  readonly receivedBefore?: string;
  /** Studies holding one of these modalities (DICOM codes, upper case). */
  readonly modalities?: readonly string[];
}

/** A validated run request. */
export interface ReanalysisRequest {
  readonly runId: string;
  /** Analyzer names to run again; the others' results are carried over from the previous version. */
  readonly analyzers: readonly string[];
  readonly selection: ReanalysisSelection;
}

/** Why a request is refused; names the field, never its value. */
export class InvalidReanalysisRequest extends Error {
  constructor(problem: string) {
    super(`Invalid re-analysis request: ${problem}`);
    this.name = 'InvalidReanalysisRequest';
  }
}

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

function instant(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw new InvalidReanalysisRequest(`${field} must be an ISO-8601 date or time`);
  return new Date(value).toISOString();
}

/**
 * Checks a run's input against the workflow's analyzers (`known`). Without
 * `analyzers` every analyzer runs again; without a selection, every completed study.
 */
export function parseReanalysisRequest(input: unknown, known: readonly string[]): ReanalysisRequest {
  if (typeof input !== 'object' || input === null) throw new InvalidReanalysisRequest('input is not an object');
  const fields = input as Record<string, unknown>;
  if (typeof fields.runId !== 'string' || !RUN_ID.test(fields.runId)) {
    throw new InvalidReanalysisRequest('runId must be 1-80 letters, digits, "-" or "_"');
  }
  if (fields.analyzers !== undefined && (!isStringList(fields.analyzers) || fields.analyzers.length === 0)) {
    throw new InvalidReanalysisRequest('analyzers must be a non-empty list of analyzer names');
  }
  const analyzers = [...new Set((fields.analyzers as string[] | undefined) ?? known)];
  const unknown = analyzers.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new InvalidReanalysisRequest(`analyzers names ${unknown.length} analyzer(s) the workflow does not run`);

  let studyKeys: string[] | undefined;
  if (fields.studyKeys !== undefined) {
    if (!isStringList(fields.studyKeys) || fields.studyKeys.length === 0 || !fields.studyKeys.every((k) => STUDY_KEY.test(k))) {
      throw new InvalidReanalysisRequest('studyKeys must be a non-empty list of pseudonymous study keys');
    }
    studyKeys = [...new Set(fields.studyKeys)];
    if (studyKeys.length > MAX_LISTED_STUDIES) throw new InvalidReanalysisRequest(`studyKeys may name at most ${MAX_LISTED_STUDIES} studies`);
  }
  let modalities: string[] | undefined;
  if (fields.modalities !== undefined) {
    if (!isStringList(fields.modalities) || fields.modalities.length === 0) throw new InvalidReanalysisRequest('modalities must be a non-empty list');
    modalities = fields.modalities.map((m) => m.trim().toUpperCase());
    if (!modalities.every((m) => MODALITY.test(m))) throw new InvalidReanalysisRequest('modalities must be DICOM modality codes');
  }
  const receivedFrom = instant(fields.receivedFrom, 'receivedFrom');
  const receivedBefore = instant(fields.receivedBefore, 'receivedBefore');
  if (receivedFrom !== undefined && receivedBefore !== undefined && receivedFrom >= receivedBefore) {
    throw new InvalidReanalysisRequest('receivedFrom must be before receivedBefore');
  }
  const selection: ReanalysisSelection = studyKeys !== undefined ? { studyKeys } : {
    ...(receivedFrom === undefined ? {} : { receivedFrom }),
    ...(receivedBefore === undefined ? {} : { receivedBefore }),
    ...(modalities === undefined ? {} : { modalities }),
  };
  return { runId: fields.runId, analyzers, selection };
}

/** What the selection needs to know of a study (its META record). */
export interface SelectableStudy {
  readonly studyKey: string;
  readonly createdAt: string;
  readonly modality?: string;
}

/** Whether a stored study falls inside the date range and modalities of the selection. */
export function matchesSelection(study: SelectableStudy, selection: ReanalysisSelection): boolean {
  if (selection.studyKeys !== undefined) return selection.studyKeys.includes(study.studyKey);
  const received = Date.parse(study.createdAt);
  if (selection.receivedFrom !== undefined && !(received >= Date.parse(selection.receivedFrom))) return false;
  if (selection.receivedBefore !== undefined && !(received < Date.parse(selection.receivedBefore))) return false;
  if (selection.modalities !== undefined && !selection.modalities.includes((study.modality ?? '').toUpperCase())) return false;
  return true;
}
