/**
 * aws-local-stepfunctions runs inline Map states only. A Distributed Map
 * (items read from S3, child executions, results written to S3) becomes, for
 * the local run, a Task state of the same name whose local handler reads the
 * items from the local S3 engine and runs the item processor once per item,
 * as child executions would, with the state's MaxConcurrency and
 * ToleratedFailurePercentage. Retry, Catch, ResultPath and Next stay as they
 * are. Only what the pipeline's definition uses is supported; anything else
 * makes the runner refuse the definition, so a change cannot run differently
 * here than on AWS without a failing test.
 */
type Json = unknown;

export interface DistributedMapState {
  readonly Type: 'Map';
  readonly ItemReader?: { Resource: string; ReaderConfig?: { InputType?: string }; Parameters: Record<string, Json> };
  readonly ItemSelector?: Record<string, Json>;
  readonly ItemProcessor: { ProcessorConfig?: { Mode?: string }; StartAt: string; States: Record<string, Json> };
  readonly MaxConcurrency?: number;
  readonly ToleratedFailurePercentage?: number;
  readonly ResultWriter?: { Resource: string; Parameters: { Bucket: string; Prefix?: string } };
  readonly [field: string]: Json;
}

/** What the runner needs to run one Distributed Map locally. */
export interface LocalDistributedMap {
  readonly stateName: string;
  readonly itemSelector?: Record<string, Json>;
  /** The item processor as an ordinary state machine definition. */
  readonly itemProcessor: { StartAt: string; States: Record<string, Json> };
  readonly maxConcurrency: number;
  readonly toleratedFailurePercentage: number;
  readonly resultWriter?: { Bucket: string; Prefix?: string };
}

/** Fields a Distributed Map keeps as a local Task; the rest belong to the map and are handled by the runner. */
const TASK_FIELDS = ['Comment', 'Next', 'End', 'ResultPath', 'Retry', 'Catch', 'InputPath', 'OutputPath', 'QueryLanguage'];
const MAP_ONLY_FIELDS = ['Type', 'ItemReader', 'ItemSelector', 'ItemProcessor', 'MaxConcurrency', 'ToleratedFailurePercentage', 'ResultWriter', 'Label'];

export function isDistributedMap(state: { Type?: string; ItemProcessor?: { ProcessorConfig?: { Mode?: string } } }): boolean {
  return state.Type === 'Map' && state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}

/** The Task state that stands in for a Distributed Map, and what it runs. */
export function localizeDistributedMap(stateName: string, state: DistributedMapState): { task: Record<string, Json>; map: LocalDistributedMap } {
  const unsupported = Object.keys(state).filter((f) => !TASK_FIELDS.includes(f) && !MAP_ONLY_FIELDS.includes(f));
  if (unsupported.length > 0) throw new Error(`Local runner: Distributed Map '${stateName}' uses ${unsupported.join(', ')}, which the local runner does not support`);
  if (state.QueryLanguage !== undefined && state.QueryLanguage !== 'JSONPath') {
    throw new Error(`Local runner: Distributed Map '${stateName}' uses ${String(state.QueryLanguage)}; the local runner evaluates JSONPath only`);
  }
  const reader = state.ItemReader;
  if (reader === undefined || !/:s3:getObject$/.test(reader.Resource) || reader.ReaderConfig?.InputType !== 'JSON') {
    throw new Error(`Local runner: Distributed Map '${stateName}' must read a JSON array with s3:getObject`);
  }
  const task: Record<string, Json> = { Type: 'Task', Resource: reader.Resource, Parameters: { 'reader': reader.Parameters, 'mapInput.$': '$' } };
  for (const field of TASK_FIELDS) if (state[field] !== undefined) task[field] = state[field];
  const { ProcessorConfig: _config, ...processor } = state.ItemProcessor;
  return {
    task,
    map: {
      stateName,
      itemSelector: state.ItemSelector,
      itemProcessor: processor,
      maxConcurrency: state.MaxConcurrency && state.MaxConcurrency > 0 ? state.MaxConcurrency : 1000,
      toleratedFailurePercentage: state.ToleratedFailurePercentage ?? 0,
      resultWriter: state.ResultWriter?.Parameters,
    },
  };
}

function pathValue(root: Json, path: string): Json {
  if (path === '$') return root;
  if (!/^\$(\.[A-Za-z0-9_]+)+$/.test(path)) throw new Error(`Local runner: ItemSelector path ${path} is not supported`);
  return path.slice(2).split('.').reduce<Json>((node, key) => {
    if (node === null || typeof node !== 'object' || !(key in (node as Record<string, Json>))) {
      const error = new Error(`Invalid path '${path}': The choice state's condition path references an invalid value.`);
      error.name = 'States.Runtime';
      throw error;
    }
    return (node as Record<string, Json>)[key];
  }, root);
}

/** Evaluates an ItemSelector (paths into the map's input, `$$.Map.Item.Value` / `.Index`). */
export function selectItem(selector: Record<string, Json> | undefined, mapInput: Json, item: Json, index: number): Json {
  if (selector === undefined) return item;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(selector)) {
    if (!key.endsWith('.$')) {
      out[key] = value !== null && typeof value === 'object' && !Array.isArray(value)
        ? selectItem(value as Record<string, Json>, mapInput, item, index)
        : value;
      continue;
    }
    const path = String(value);
    out[key.slice(0, -2)] = path === '$$.Map.Item.Value' ? item
      : path === '$$.Map.Item.Index' ? index
        : pathValue(mapInput, path);
  }
  return out;
}

export interface ChildRun {
  readonly result: Promise<unknown>;
}

export interface DistributedMapRun {
  readonly items: number;
  readonly failed: number;
}

/**
 * Runs the map: every item through `runChild` (one child execution each), at
 * most `maxConcurrency` at a time; more failures than tolerated fail the state.
 */
export async function runDistributedMap(
  map: LocalDistributedMap,
  parameters: { reader: { Bucket: string; Key: string }; mapInput: Json },
  readJson: (bucket: string, key: string) => Promise<Json>,
  runChild: (input: Json) => ChildRun,
): Promise<{ output: Json; run: DistributedMapRun }> {
  const items = await readJson(parameters.reader.Bucket, parameters.reader.Key);
  if (!Array.isArray(items)) {
    const error = new Error('The item reader did not find a JSON array');
    error.name = 'States.ItemReaderFailed';
    throw error;
  }
  let next = 0;
  let failed = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) {
      try {
        await runChild(selectItem(map.itemSelector, parameters.mapInput, items[i], i)).result;
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(map.maxConcurrency, items.length) }, worker));
  if (items.length > 0 && (failed * 100) / items.length > map.toleratedFailurePercentage) {
    const error = new Error(`${failed} of ${items.length} child executions failed`);
    error.name = 'States.ExceedToleratedFailureThreshold';
    throw error;
  }
  const writer = map.resultWriter;
  const output = writer === undefined ? [] : { ResultWriterDetails: { Bucket: writer.Bucket, Key: `${writer.Prefix ?? ''}local/manifest.json` } };
  return { output, run: { items: items.length, failed } };
}
