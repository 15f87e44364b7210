/** Hierarchical (population) models: JSON documents, their log density for the samplers, examples. */
export * from './document';
export { hierarchicalLogDensity, type HierarchicalDensity } from './log-density';
export { simulateStarCluster, type StarCluster, type StarClusterOptions } from './star-cluster';
