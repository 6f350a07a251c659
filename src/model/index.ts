// The product API: MyRecModel, its types and errors, and the data set helpers (split, demo generation).
export { MyRecModel, totalSteps, type MyRecModelOptions } from './MyRecModel.js';
export { DEFAULT_M, MAX_ID, MAX_K, MAX_M } from './limits.js';
export {
  splitDataset,
  generateDemoDataset,
  DEMO_TRAIN_OPTIONS,
  type SplitResult,
  type DemoDatasetResult,
} from './datasets.js';
export * from './errors.js';
export { ModelStore, LEASE_REFRESH_MS, VERSION_ID, isVersionId, type ModelRef, type Lease, type Pointer } from './versions.js';
export type * from './types.js';
