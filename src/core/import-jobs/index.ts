export * from './job-request';
export * from './job-output';
