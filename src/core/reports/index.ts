export * from './types';
export * from './fhir';
export * from './html';
