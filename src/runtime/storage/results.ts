/** ANALYSIS and REPORT items of one study version (plain puts: a retry rewrites the same data). */
import { BatchWriteCommand, BatchWriteCommandOutput, PutCommand } from '@aws-sdk/lib-dynamodb';
import { TableContext } from './context';
import { AnalyzerResult } from '../../shared/analyzer-result';
import { analysisSk, reportSk, studyPk } from '../../shared/records';

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
  results: readonly AnalyzerResult[],
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
  /** FHIR DiagnosticReport.status. */
  readonly reportStatus: string;
  readonly fhirKey: string;
  readonly htmlKey: string;
  readonly findingCount: number;
  readonly reviewRequired: boolean;
  readonly reviewDecision?: string;
  readonly reviewer?: string;
  readonly createdAt: string;
}

export async function putReportRecord(ctx: TableContext, record: ReportRecord): Promise<void> {
  await ctx.doc.send(new PutCommand({
    TableName: ctx.tableName,
    Item: { PK: studyPk(record.studyKey), SK: reportSk(record.version), ...record },
  }));
}
