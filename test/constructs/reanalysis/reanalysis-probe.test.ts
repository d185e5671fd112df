import { MedicalImagingPipeline } from '../../../src';
import { newStack } from '../fixtures';
import { formatFindings, nagFindings } from '../../support/nag';

test('probe', () => {
  const { app, stack } = newStack();
  new MedicalImagingPipeline(stack, 'Pipeline', { reanalysis: {} });
  console.log(formatFindings(nagFindings(app).filter((f) => f.path.includes('Reanalysis'))));
});
