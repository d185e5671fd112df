export * from './context';
export * from './instances';
export * from './studies';
export * from './rejections';
export * from './objects';
export * from './results';
