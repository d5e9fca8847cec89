export { runWithCorrelation, currentCorrelation, correlationIdFrom, correlationOf, correlationFields, type CorrelatedRequest, type CorrelationContext } from './correlation';
export { createRootLogger, NestJsonLogger } from './logger';
export { Metrics } from './metrics';
export { processGroupMetrics, serveClusterMetrics } from './cluster-metrics';
