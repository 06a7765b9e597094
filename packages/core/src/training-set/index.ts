export * from './click-examples';
export * from './impression-reconstruction';
export * from './time-split';
