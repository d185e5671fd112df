/** What the integ tests import from the library (one place to change the import). */
export { MedicalImagingPipeline } from '../../src';
export { STATUS_INDEX_NAME as STATUS_INDEX } from '../../src/shared/records';
