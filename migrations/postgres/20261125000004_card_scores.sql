-- One row per score on a locked card, so reports aggregate in SQL instead of
-- reading every card. Written in the same transaction as the card.
CREATE TABLE card_scores (
    scorecard_id    BIGINT NOT NULL REFERENCES scorecards (id),
    loop_id         BIGINT NOT NULL REFERENCES loops (id),
    stage_kind      TEXT NOT NULL,
    criterion       TEXT NOT NULL,
    score           BIGINT NOT NULL,
    PRIMARY KEY (scorecard_id, criterion)
);
-- Covering: the report reads every column it needs from the index alone.
CREATE INDEX card_scores_by_loop ON card_scores (loop_id, stage_kind, criterion, score);
CREATE INDEX loops_by_decision ON loops (team_id, decided_at);
