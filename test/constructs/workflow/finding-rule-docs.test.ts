/**
 * The published docs of `autoReleaseThreshold` (what Python and TypeScript
 * users read, from the jsii assembly) say what the workflow does: at or above
 * the threshold released, below it held for review.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decide, thresholdRules } from '../../../src/core/findings';

interface JsiiProperty { readonly name: string; readonly docs?: { readonly summary?: string; readonly remarks?: string; readonly default?: string } }
const assembly = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', '.jsii'), 'utf8')) as {
  types: Record<string, { properties?: JsiiProperty[] }>;
};
const docsOf = (type: string, property: string) => {
  const found = assembly.types[`cdk-medical-imaging-pipeline.${type}`]?.properties?.find((p) => p.name === property);
  if (found === undefined) throw new Error(`${type}.${property} is not in the assembly`);
  return `${found.docs?.summary ?? ''} ${found.docs?.remarks ?? ''}`;
};

test.each(['AnalysisWorkflowProps', 'MedicalImagingPipelineProps'])('%s.autoReleaseThreshold says what the rules do', (type) => {
  const docs = docsOf(type, 'autoReleaseThreshold');
  expect(docs).toMatch(/at or above this[^;]*released without a clinician/);
  expect(docs).toMatch(/below it[^;]*holds the study for review/);
  expect(assembly.types[`cdk-medical-imaging-pipeline.${type}`].properties!.find((p) => p.name === 'autoReleaseThreshold')!.docs!.default).toBe('0.8');
  // ...and the rules it stands for do exactly that.
  const rules = thresholdRules(0.8);
  const finding = (confidence: number) => ({ label: 'x', confidence, imageRef: 's/i' });
  expect(decide(rules, finding(0.8), 'a').action).toBe('RELEASE');
  expect(decide(rules, finding(0.95), 'a').action).toBe('RELEASE');
  expect(decide(rules, finding(0.79), 'a').action).toBe('HOLD_FOR_REVIEW');
});

test.each(['AnalysisWorkflowProps', 'MedicalImagingPipelineProps'])('%s.findingRules documents the first-match order and the safe default', (type) => {
  const docs = docsOf(type, 'findingRules');
  expect(docs).toMatch(/first of these rules that matches/);
  if (type === 'AnalysisWorkflowProps') expect(docs).toMatch(/no rule matches is held for review/);
});
