-- Final votes after the reveal: each panelist who sent a card says, in
-- private, the level they hold to after the discussion, with a reason when
-- it moved, and any dimension score they revise (each with its reason).
-- Cards never change; votes are their own records, locked and hidden until
-- all are in or the hiring manager closes the vote.
CREATE TABLE final_votes (
    id              BIGSERIAL PRIMARY KEY,
    loop_id         BIGINT NOT NULL REFERENCES loops (id),
    voter           TEXT NOT NULL,
    card_level      TEXT NOT NULL,
    level           TEXT NOT NULL,
    reason          TEXT,
    revisions       TEXT NOT NULL,
    submitted_at    BIGINT NOT NULL,
    UNIQUE (loop_id, voter)
);

ALTER TABLE loops ADD COLUMN votes_opened_at BIGINT;
ALTER TABLE loops ADD COLUMN votes_closed_at BIGINT;

-- The mechanical result beside a decision, and whether it departed from it.
ALTER TABLE decisions ADD COLUMN cards_median TEXT;
ALTER TABLE decisions ADD COLUMN votes_median TEXT;
ALTER TABLE decisions ADD COLUMN departs BIGINT NOT NULL DEFAULT 0;
