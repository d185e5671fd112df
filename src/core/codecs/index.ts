export * from './frame';
export * from './jpeg-header';
export * from './registry';
export * from './rejection';
export * from './wasm';
export * from './j2k-header';
