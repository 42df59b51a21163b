-- Practice debriefs (/staffloop calibrate): a panel blind-scores two past
-- candidates from their loops' evidence, then sees its own spread and the
-- original panel's scores at once. Who took part, and when it was revealed,
-- is what "calibrated" means.
CREATE TABLE calibrations (
    id              BIGSERIAL PRIMARY KEY,
    team_id         TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    source_view_id  TEXT NOT NULL,
    channel_name    TEXT NOT NULL,
    channel_id      TEXT,
    intro_ts        TEXT,
    debrief_at      BIGINT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'open',
    created_at      BIGINT NOT NULL,
    revealed_at     BIGINT,
    UNIQUE (team_id, source_view_id)
);

-- The past loops scored, as "Candidate A" (position 0) and "Candidate B".
CREATE TABLE calibration_packets (
    calibration_id  BIGINT NOT NULL REFERENCES calibrations (id),
    position        BIGINT NOT NULL,
    loop_id         BIGINT NOT NULL REFERENCES loops (id),
    reveal_ts       TEXT,
    PRIMARY KEY (calibration_id, position)
);

CREATE TABLE calibration_participants (
    calibration_id  BIGINT NOT NULL REFERENCES calibrations (id),
    user_id         TEXT NOT NULL,
    PRIMARY KEY (calibration_id, user_id)
);
CREATE INDEX calibration_participants_by_user ON calibration_participants (user_id);

-- Locked on submit, hidden until the calibration's reveal.
CREATE TABLE calibration_cards (
    id              BIGSERIAL PRIMARY KEY,
    calibration_id  BIGINT NOT NULL REFERENCES calibrations (id),
    position        BIGINT NOT NULL,
    participant     TEXT NOT NULL,
    recommendation  TEXT NOT NULL,
    content         TEXT NOT NULL,
    submitted_at    BIGINT NOT NULL,
    UNIQUE (calibration_id, position, participant)
);
CREATE INDEX calibration_cards_by_participant ON calibration_cards (participant);
