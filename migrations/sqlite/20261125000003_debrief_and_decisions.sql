-- The reveal: where its summary message landed, so card replies thread under it.
ALTER TABLE loops ADD COLUMN reveal_ts TEXT;
ALTER TABLE loops ADD COLUMN decided_level TEXT;
ALTER TABLE loops ADD COLUMN decided_at BIGINT;
ALTER TABLE loops ADD COLUMN offer_outcome TEXT;
ALTER TABLE loops ADD COLUMN offer_outcome_by TEXT;
ALTER TABLE loops ADD COLUMN offer_outcome_at BIGINT;

-- Hiring decisions. A proposal becomes a decision when its author confirms it;
-- one correction (with a reason) may follow, and both entries are kept.
CREATE TABLE decisions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    loop_id         BIGINT NOT NULL REFERENCES loops (id),
    level           TEXT NOT NULL,
    note            TEXT,
    decided_by      TEXT NOT NULL,
    proposed_at     BIGINT NOT NULL,
    confirmed_at    BIGINT,
    status          TEXT NOT NULL DEFAULT 'proposed',
    corrects        BIGINT REFERENCES decisions (id)
);
CREATE INDEX decisions_by_loop ON decisions (loop_id, status);
