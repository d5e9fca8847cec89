-- Up Migration

-- Verification is a read of the audit trail too (GET/POST /audit/verify, GET /audit/seals/latest):
-- recorded in audit_reads like a query, with what it found. `rows` is then the events checked, and
-- `result` { ok, sealsChecked, firstBroken? } (null for queries and exports, and while a check runs).
ALTER TABLE audit_reads ADD COLUMN result jsonb;

-- Down Migration
ALTER TABLE audit_reads DROP COLUMN result;
