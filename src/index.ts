export * from './shared/analyzer-result';
