/**
 * First step of a re-analysis run: validate the request and write the selected
 * studies as a JSON array to S3, where the Distributed Map reads them. Studies
 * named explicitly are listed whether or not they still exist: a deleted one
 * is then reported NOT_FOUND by its own item.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { matchesSelection, parseReanalysisRequest, runItemsKey } from '../../core/reanalysis';
import { StudyStatus } from '../../shared/records';
import { TableContext } from '../storage/context';
import { putJson } from '../storage/objects';
import { listStudiesByStatus } from '../storage/studies';

export interface SelectStudiesDeps {
  readonly table: TableContext;
  readonly s3: S3Client;
  readonly reportsBucket: string;
  /** The analysis workflow's analyzers. */
  readonly analyzerNames: readonly string[];
}

export interface SelectedStudies {
  readonly runId: string;
  readonly analyzers: readonly string[];
  readonly studyCount: number;
  /** The item list (JSON array of `{ studyKey }`). */
  readonly items: { readonly bucket: string; readonly key: string };
}

/** The step's input: the execution's input and the execution's name, which names the run. */
export interface SelectStudiesInput {
  readonly request: unknown;
  readonly runId: string;
}

export async function selectStudies(deps: SelectStudiesDeps, input: SelectStudiesInput): Promise<SelectedStudies> {
  const given = typeof input?.request === 'object' && input.request !== null ? input.request : {};
  const request = parseReanalysisRequest({ ...given, runId: input?.runId }, deps.analyzerNames);
  const { selection } = request;
  const studyKeys = selection.studyKeys !== undefined
    ? [...selection.studyKeys]
    : (await listStudiesByStatus(deps.table, StudyStatus.COMPLETED)).filter((meta) => matchesSelection(meta, selection)).map((meta) => meta.studyKey);
  studyKeys.sort();
  const items = { bucket: deps.reportsBucket, key: runItemsKey(request.runId) };
  await putJson(deps.s3, items, studyKeys.map((studyKey) => ({ studyKey })));
  return { runId: request.runId, analyzers: request.analyzers, studyCount: studyKeys.length, items };
}
