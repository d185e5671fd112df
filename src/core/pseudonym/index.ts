export * from './pseudonymize';
