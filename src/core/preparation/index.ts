export * from './budget';
export * from './dicom-image';
export * from './prepare';
export * from './rejection';
