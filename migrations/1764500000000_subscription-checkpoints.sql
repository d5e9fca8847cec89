-- Up Migration

-- Where each durable subscriber (projection, dispatcher, process manager) has got to in the global
-- log. numeric(20): KurrentDB commit positions are unsigned 64-bit and may exceed bigint.
CREATE TABLE subscription_checkpoints (
  name        text        PRIMARY KEY,
  position    numeric(20) NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE subscription_checkpoints;
