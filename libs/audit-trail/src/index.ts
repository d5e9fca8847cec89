export { AuditTrailModule, AuditTrailProjectionModule } from './audit-trail.module';
export { AuditEventsProjection } from './audit-events.projection';
export {
  AuditTrailQueries,
  csvHeader,
  csvLine,
  encodeCursor,
  decodeCursor,
  type AuditEventFilter,
  type AuditEventItem,
  type AuditReadFilter,
  type AuditReadItem,
  type AuditReadRecord,
  type Page,
} from './audit-trail.queries';
