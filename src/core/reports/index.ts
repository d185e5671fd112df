export * from './types';
export * from './fhir';
export * from './html';
export * from './fhir-bundle';
export * from './dicom-sr';
