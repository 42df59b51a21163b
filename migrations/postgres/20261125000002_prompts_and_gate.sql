-- One row per interviewer asked for a scorecard; remembers the DM so it can be
-- updated once the card is in.
CREATE TABLE prompts (
    id                  BIGSERIAL PRIMARY KEY,
    loop_id             BIGINT NOT NULL REFERENCES loops (id),
    stage_id            BIGINT NOT NULL REFERENCES stages (id),
    interviewer         TEXT NOT NULL,
    dm_channel          TEXT,
    dm_ts               TEXT,
    prompted_at         BIGINT NOT NULL,
    reminders_sent      BIGINT NOT NULL DEFAULT 0,
    last_reminded_at    BIGINT,
    UNIQUE (stage_id, interviewer)
);
CREATE INDEX prompts_by_user ON prompts (interviewer);

-- The design-document gate: NULL (not triggered), asked, continued, stopped.
ALTER TABLE loops ADD COLUMN doc_gate TEXT;
ALTER TABLE loops ADD COLUMN doc_gate_by TEXT;
ALTER TABLE loops ADD COLUMN doc_gate_at BIGINT;
