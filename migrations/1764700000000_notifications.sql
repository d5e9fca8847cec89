-- Up Migration

-- How a staff member wants to be told: one mail per event, or one mail per working day (07:30 Vietnam time).
ALTER TABLE staff ADD COLUMN notifications text NOT NULL DEFAULT 'immediate'
  CHECK (notifications IN ('immediate', 'daily_digest'));

-- The notification outbox: every e-mail the service owes somebody, written by the dispatcher in the same
-- transaction as its checkpoint (or by the reminder and digest jobs in theirs), then handed to BullMQ.
-- A row is the truth; a queued job is only a trigger, re-created by the sweeper when Redis loses it.
--
-- `id` is derived from the source (event id, reminder id or digest) and the recipient, so handling the
-- same event twice writes nothing new; `message_id` is derived from it, so a resend after a crash
-- between SMTP acceptance and the sent mark carries the same Message-ID.
CREATE TABLE notification_outbox (
  id              uuid        PRIMARY KEY,
  template        text        NOT NULL,
  -- 'immediate': sent on its own; 'digest': an item waiting for its recipient's daily digest;
  -- 'digested': folded into the digest row `digest_id`, never sent on its own.
  delivery        text        NOT NULL CHECK (delivery IN ('immediate', 'digest', 'digested')),
  -- The event, reminder or digest the notification comes from (an event id, `reminder:<uuid>`, `digest:<date>`).
  source          text        NOT NULL,
  nomination_id   uuid,
  recipient_id    text,
  recipient_email text        NOT NULL,
  recipient_name  text,
  locale          text        NOT NULL CHECK (locale IN ('vi', 'en')),
  message_id      text        NOT NULL UNIQUE,
  -- The template's variables, fixed when the notification was created (a resend says the same thing).
  payload         jsonb       NOT NULL,
  status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts        integer     NOT NULL DEFAULT 0,
  last_error      text,
  digest_id       uuid        REFERENCES notification_outbox (id),
  -- When the source happened (the event's recordedAt): send latency is measured from it.
  occurred_at     timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  queued_at       timestamptz,
  sent_at         timestamptz,
  failed_at       timestamptz
);
-- The sweeper's and the admin listing's ways in.
CREATE INDEX notification_outbox_unsent ON notification_outbox (queued_at NULLS FIRST) WHERE status = 'pending' AND delivery = 'immediate';
CREATE INDEX notification_outbox_failed ON notification_outbox (failed_at DESC, id) WHERE status = 'failed';
CREATE INDEX notification_outbox_digest_items ON notification_outbox (recipient_email, created_at) WHERE delivery = 'digest';
CREATE INDEX notification_outbox_nomination ON notification_outbox (nomination_id);

-- Deadline reminders of a stage visit, derived from the log by the dispatcher: a NominationSubmitted or
-- StageApproved that brings a nomination to a stage schedules `due_soon` and `overdue`. The row is the
-- truth; the delayed BullMQ job that fires it is re-created from here when Redis loses it.
CREATE TABLE notification_reminders (
  id              uuid        PRIMARY KEY,
  kind            text        NOT NULL CHECK (kind IN ('due_soon', 'overdue')),
  nomination_id   uuid        NOT NULL,
  -- The event that brought the nomination to the stage: a reminder fires only while that visit lasts.
  entry_event_id  uuid        NOT NULL,
  stage_index     integer     NOT NULL,
  stage_unit      text        NOT NULL,
  entered_at      timestamptz NOT NULL,
  due_on          date        NOT NULL,
  fire_on         date        NOT NULL,
  fire_at         timestamptz NOT NULL,
  status          text        NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'fired', 'dropped')),
  settled_at      timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (entry_event_id, kind)
);
CREATE INDEX notification_reminders_scheduled ON notification_reminders (fire_at) WHERE status = 'scheduled';

-- The working days whose 07:30 digest has been assembled, so a restart or a second worker never
-- assembles one twice and a worker that was down at 07:30 catches up when it starts.
CREATE TABLE notification_digest_runs (
  digest_on  date        PRIMARY KEY,
  run_at     timestamptz NOT NULL DEFAULT now(),
  digests    integer     NOT NULL
);

-- Down Migration
DROP TABLE notification_digest_runs;
DROP TABLE notification_reminders;
DROP TABLE notification_outbox;
ALTER TABLE staff DROP COLUMN notifications;
