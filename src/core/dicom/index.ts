export * from './errors';
export * from './parse';
export * from './part10';
export * from './transfer-syntax';
export type { PaletteLut } from './palette';
export type { LookupTable, ModalityLut, VoiLut } from './lut-sequence';
