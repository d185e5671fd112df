export * from './analysis-request';
