export * from './types';
export * from './fhir';
export * from './html';
export * from './fhir-bundle';
export * from './dicom-sr';
export * from './report-study';
export * from './previews';
export * from './report-documents';
