/** Post-hoc calibration of model probabilities: isotonic, Platt, downsampling correction. */
export * from './errors';
export * from './calibration-map';
export * from './isotonic';
export * from './platt';
export * from './downsampling';
export * from './choose';
