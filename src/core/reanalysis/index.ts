export * from './request';
export * from './versions';
export * from './outcomes';
export * from './changes';
export * from './layout';
