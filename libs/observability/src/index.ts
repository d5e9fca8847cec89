export { runWithCorrelation, currentCorrelation, correlationIdFrom } from './correlation';
export type { CorrelationContext } from './correlation';
export { createRootLogger, NestJsonLogger } from './logger';
export { Metrics } from './metrics';
export { processGroupMetrics, serveClusterMetrics } from './cluster-metrics';
