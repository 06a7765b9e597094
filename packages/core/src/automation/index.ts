export * from './errors';
export * from './capture-record';
export * from './capture-layout';
export * from './retrain-window';
export * from './promotion-gate';
export * from './prior-drift';
export * from './capture-drift';
export * from './window-tables';
