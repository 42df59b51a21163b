-- The retrospective audit of past staff hires (/staffloop audit) and the
-- outcome check-ins months after a hire starts: how each hire works today,
-- on the rubric, judged by someone who sees their work. The most sensitive
-- rows the bot keeps: read only for admins' reports and a forced export.
CREATE TABLE audits (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id         TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    source_view_id  TEXT NOT NULL,
    post_to_channel BIGINT NOT NULL DEFAULT 0,
    state           TEXT NOT NULL DEFAULT 'open',
    created_at      BIGINT NOT NULL,
    closed_at       BIGINT,
    UNIQUE (team_id, source_view_id)
);

-- One check-in: a hire (their loop), who judges, and, once sent, how they
-- work now. `dedupe_key` is `audit:<audit>:<loop>` or `outcome:<loop>:<months>`.
CREATE TABLE checkins (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id         TEXT NOT NULL,
    loop_id         BIGINT NOT NULL REFERENCES loops (id),
    judge           TEXT NOT NULL,
    audit_id        BIGINT REFERENCES audits (id),
    months          BIGINT,
    dedupe_key      TEXT NOT NULL UNIQUE,
    asked_at        BIGINT NOT NULL,
    working_at      TEXT,
    content         TEXT,
    submitted_at    BIGINT
);
CREATE INDEX checkins_by_audit ON checkins (audit_id);
CREATE INDEX checkins_by_loop ON checkins (loop_id);

CREATE TABLE checkin_scores (
    checkin_id      BIGINT NOT NULL REFERENCES checkins (id),
    loop_id         BIGINT NOT NULL REFERENCES loops (id),
    criterion       TEXT NOT NULL,
    score           BIGINT NOT NULL,
    PRIMARY KEY (checkin_id, criterion)
);

-- When the hire starts (`/staffloop outcome accepted <date>`): check-ins
-- are counted in months from it.
ALTER TABLE loops ADD COLUMN starts_on BIGINT;
