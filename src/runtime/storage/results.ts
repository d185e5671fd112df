/**
 * ANALYSIS and REPORT items of one study version (plain puts: a retry rewrites
 * the same data). An ANALYSIS item holds the analyzer's outcome and the S3 key
 * of its full result: findings can outgrow a DynamoDB item.
 */
import { BatchWriteCommand, BatchWriteCommandOutput, PutCommand, QueryCommand, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { TableContext } from './context';
import { analysisSk, REPORT_SK_PREFIX, reportSk, studyPk } from '../../shared/records';
import { AnalyzerOutcome } from '../../shared/workflow';

/** Run id of an analysis: the study version, zero-padded so items sort by version. */
export function analysisRun(version: number): string {
  return `v${String(version).padStart(4, '0')}`;
}

const BATCH_SIZE = 25;
const MAX_BATCH_ATTEMPTS = 5;

export async function putAnalysisResults(
  ctx: TableContext,
  studyKey: string,
  version: number,
  results: readonly AnalyzerOutcome[],
  now: string,
): Promise<void> {
  const items = results.map((result) => ({
    PK: studyPk(studyKey),
    SK: analysisSk(result.analyzerName, analysisRun(version)),
    studyKey,
    version,
    recordedAt: now,
    ...result,
  }));
  for (let start = 0; start < items.length; start += BATCH_SIZE) {
    let requests: NonNullable<BatchWriteCommandOutput['UnprocessedItems']>[string] =
      items.slice(start, start + BATCH_SIZE).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt === MAX_BATCH_ATTEMPTS) {
        throw new Error('DynamoDB left analysis items unprocessed');
      }
      const output = await ctx.doc.send(new BatchWriteCommand({ RequestItems: { [ctx.tableName]: requests } }));
      requests = output.UnprocessedItems?.[ctx.tableName] ?? [];
    }
  }
}

export interface ReportRecord {
  readonly studyKey: string;
  readonly version: number;
  /** 1 for the workflow's report of the version; later decisions add revisions. */
  readonly revision: number;
  /** FHIR DiagnosticReport.status. */
  readonly reportStatus: string;
  readonly fhirKey: string;
  readonly htmlKey: string;
  /** The FHIR R4 Bundle of the revision (absent on reports written before bundles existed). */
  readonly bundleKey?: string;
  /** The DICOM SR of the revision (absent when the study has no UIDs to reference: PNG/JPEG without the option). */
  readonly srKey?: string;
  /** SOP Instance UID of that SR (a UID the pipeline generated), to find it again in a PACS. */
  readonly srSopInstanceUid?: string;
  readonly findingCount: number;
  readonly reviewRequired: boolean;
  readonly reviewDecision?: string;
  readonly reviewer?: string;
  readonly createdAt: string;
}

export async function putReportRecord(ctx: TableContext, record: ReportRecord): Promise<void> {
  await ctx.doc.send(new PutCommand({
    TableName: ctx.tableName,
    Item: { PK: studyPk(record.studyKey), SK: reportSk(record.version, record.revision), ...record },
  }));
}

/** Every report of a study, oldest first (a study has a handful: one per version, plus late decisions). */
export async function listReports(ctx: TableContext, studyKey: string): Promise<ReportRecord[]> {
  const items: ReportRecord[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page: QueryCommandOutput = await ctx.doc.send(new QueryCommand({
      TableName: ctx.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': studyPk(studyKey), ':prefix': REPORT_SK_PREFIX },
      ConsistentRead: true,
      ExclusiveStartKey: startKey,
    }));
    items.push(...(page.Items ?? []).map(({ PK: _pk, SK: _sk, ...rest }) => rest as ReportRecord));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

/** The study's reports issued before this version and revision, oldest first. */
export async function reportsBefore(
  ctx: TableContext,
  studyKey: string,
  before: { readonly version: number; readonly revision: number },
): Promise<ReportRecord[]> {
  return (await listReports(ctx, studyKey))
    .filter((r) => r.version < before.version || (r.version === before.version && r.revision < before.revision));
}

/** Whether one of these reports was final (or amended): a later final report then is `amended`. */
export function includesFinalReport(reports: readonly ReportRecord[]): boolean {
  return reports.some((r) => r.reportStatus === 'final' || r.reportStatus === 'amended');
}
