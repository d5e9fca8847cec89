-- Up Migration

-- Responses to POST/PATCH requests that carried an Idempotency-Key, so a retry gets the first answer.
CREATE TABLE idempotency_records (
  actor_id      text        NOT NULL,
  key           text        NOT NULL,
  -- SHA-256 of method, path and canonical body: the same key with another request is refused (422).
  request_hash  text        NOT NULL,
  status_code   integer,
  response_headers jsonb,
  -- json, not jsonb: a replay returns the body byte for byte as first sent.
  response_body json,
  created_at    timestamptz NOT NULL DEFAULT now(),
  completed_at  timestamptz,
  PRIMARY KEY (actor_id, key)
);
CREATE INDEX idempotency_records_created_at ON idempotency_records (created_at);

-- Administrative units per code set (gso-2004 three-tier, gso-2025 two-tier). Reference data, edited by
-- admins with PUT /units; the shipped Sơn La data is inserted at start without overwriting edits.
CREATE TABLE units (
  code_set    text        NOT NULL,
  code        text        NOT NULL,
  name        text        NOT NULL,
  level       text        NOT NULL,
  parent_code text,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (code_set, code)
);
CREATE INDEX units_parent ON units (code_set, parent_code);

-- The staff directory: who receives which notification. Tokens remain the authority for access.
CREATE TABLE staff (
  id          text        PRIMARY KEY,
  name        text        NOT NULL,
  email       text        NOT NULL,
  unit        text        NOT NULL,
  code_set    text,
  roles       text[]      NOT NULL,
  locale      text        NOT NULL DEFAULT 'vi',
  active      boolean     NOT NULL DEFAULT true,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_unit ON staff (unit) WHERE active;

-- Down Migration
DROP TABLE staff;
DROP TABLE units;
DROP TABLE idempotency_records;
