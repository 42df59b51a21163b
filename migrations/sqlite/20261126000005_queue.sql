-- A queue whose claim cost does not grow with its backlog.
--
-- Per ordering key (a loop, a user, a Home, a report), rows carry an explicit
-- sequence handed out under the key's row in `outbox_keys`, so order is the
-- order in which transactions committed, not id order. Only the oldest
-- pending row of a key is `ready`; claiming reads the ready rows through a
-- partial index, in due order, with a limit. A claim writes a random lease
-- token and moves the row's due time to the end of the lease: a worker that
-- dies leaves the row due again when the lease runs out, and only the holder
-- of the token can complete, retry or fail it.
CREATE TABLE outbox_keys (
    ordering_key    TEXT PRIMARY KEY,
    last_seq        BIGINT NOT NULL,
    pending         BIGINT NOT NULL
);
ALTER TABLE outbox ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN ready BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN lease_token TEXT;
-- Messages of a several-message effect (a long reveal) already posted.
ALTER TABLE outbox ADD COLUMN parts_done BIGINT NOT NULL DEFAULT 0;
-- Rows queued before the upgrade keep their order: id order within a key.
UPDATE outbox SET seq = id;
UPDATE outbox SET next_attempt_ms = lease_until_ms
    WHERE status = 'pending' AND lease_until_ms > next_attempt_ms;
UPDATE outbox SET ready = 1
    WHERE status = 'pending'
      AND id = (SELECT MIN(p.id) FROM outbox p
                WHERE p.ordering_key = outbox.ordering_key AND p.status = 'pending');
INSERT INTO outbox_keys (ordering_key, last_seq, pending)
    SELECT ordering_key, MAX(seq), SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END)
    FROM outbox GROUP BY ordering_key;
DROP INDEX outbox_due;
DROP INDEX outbox_by_key;
CREATE INDEX outbox_ready ON outbox (next_attempt_ms, id) WHERE status = 'pending' AND ready = 1;
CREATE INDEX outbox_key_pending ON outbox (ordering_key, seq) WHERE status = 'pending';

-- Jobs: the same token discipline, and a claim through a partial index.
ALTER TABLE jobs ADD COLUMN lease_token TEXT;
DROP INDEX jobs_due;
CREATE INDEX jobs_due ON jobs (due_at) WHERE status = 'pending';
CREATE INDEX jobs_by_loop ON jobs (loop_id) WHERE status = 'pending';
CREATE INDEX jobs_by_team_kind ON jobs (team_id, kind) WHERE status = 'pending';

-- The Home and the hot paths look cards up by interviewer.
CREATE INDEX scorecards_by_interviewer ON scorecards (interviewer, loop_id);
