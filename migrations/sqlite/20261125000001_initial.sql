-- Workspaces that have talked to the bot.
CREATE TABLE teams (
    team_id         TEXT PRIMARY KEY,
    first_seen_at   BIGINT NOT NULL,
    report_channel  TEXT
);

-- One interview loop per candidate. Times are unix seconds.
CREATE TABLE loops (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id             TEXT NOT NULL REFERENCES teams (team_id),
    candidate_name      TEXT NOT NULL,
    applied_level       TEXT NOT NULL,
    hiring_manager      TEXT NOT NULL,
    opened_by           TEXT NOT NULL,
    source_view_id      TEXT NOT NULL,
    channel_slug        TEXT NOT NULL,
    channel_name        TEXT NOT NULL,
    channel_id          TEXT,
    design_doc_url      TEXT,
    debrief_at          BIGINT NOT NULL,
    state               TEXT NOT NULL DEFAULT 'open',
    created_at          BIGINT NOT NULL,
    debrief_started_at  BIGINT,
    UNIQUE (team_id, channel_name),
    UNIQUE (team_id, source_view_id)
);
CREATE INDEX loops_by_channel ON loops (team_id, channel_id);
CREATE INDEX loops_by_hm ON loops (team_id, hiring_manager);

CREATE TABLE stages (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    loop_id         BIGINT NOT NULL REFERENCES loops (id),
    position        BIGINT NOT NULL,
    kind            TEXT NOT NULL,
    starts_at       BIGINT,
    length_minutes  BIGINT,
    state           TEXT NOT NULL DEFAULT 'scheduled',
    ended_at        BIGINT,
    UNIQUE (loop_id, position)
);

CREATE TABLE stage_interviewers (
    stage_id    BIGINT NOT NULL REFERENCES stages (id),
    user_id     TEXT NOT NULL,
    PRIMARY KEY (stage_id, user_id)
);
CREATE INDEX stage_interviewers_by_user ON stage_interviewers (user_id);

-- A submitted scorecard never changes; `content` holds scores and evidence.
CREATE TABLE scorecards (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    loop_id         BIGINT NOT NULL REFERENCES loops (id),
    stage_id        BIGINT NOT NULL REFERENCES stages (id),
    interviewer     TEXT NOT NULL,
    recommendation  TEXT NOT NULL,
    content         TEXT NOT NULL,
    submitted_at    BIGINT NOT NULL,
    after_reveal    BIGINT NOT NULL DEFAULT 0,
    UNIQUE (stage_id, interviewer)
);
CREATE INDEX scorecards_by_loop ON scorecards (loop_id);

CREATE TABLE scorecard_addenda (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    scorecard_id    BIGINT NOT NULL REFERENCES scorecards (id),
    body            TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);

-- Who did what, when: the loop's audit trail.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id     TEXT NOT NULL,
    loop_id     BIGINT,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX audit_log_by_loop ON audit_log (loop_id);

-- Slack calls caused by state changes, written in the same transaction as the
-- change and delivered by the outbox worker. Times are unix milliseconds.
CREATE TABLE outbox (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id             TEXT NOT NULL,
    loop_id             BIGINT,
    ordering_key        TEXT NOT NULL,
    method              TEXT NOT NULL,
    payload             TEXT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'pending',
    attempts            BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms     BIGINT NOT NULL,
    lease_until_ms      BIGINT NOT NULL DEFAULT 0,
    last_error          TEXT,
    created_ms          BIGINT NOT NULL,
    finished_ms         BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_ms);
CREATE INDEX outbox_by_key ON outbox (ordering_key, status, id);

-- Durable scheduled work (stage prompts, reminders, debrief start, reports).
CREATE TABLE jobs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,
    dedupe_key      TEXT NOT NULL UNIQUE,
    team_id         TEXT,
    loop_id         BIGINT,
    payload         TEXT NOT NULL,
    due_at          BIGINT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending',
    attempts        BIGINT NOT NULL DEFAULT 0,
    lease_until_ms  BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    finished_at     BIGINT
);
CREATE INDEX jobs_due ON jobs (status, due_at);

-- Events API deliveries already handled (Slack retries; we act once).
CREATE TABLE processed_events (
    event_id     TEXT PRIMARY KEY,
    team_id      TEXT NOT NULL,
    received_at  BIGINT NOT NULL
);
