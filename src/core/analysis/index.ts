export * from './applicability';
export * from './batches';
export * from './image-selection';
export * from './outcomes';
export * from './result-validation';
export * from './study-result';
export * from './study-context';
