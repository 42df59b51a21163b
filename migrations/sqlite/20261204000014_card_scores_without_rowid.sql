-- Scores are found by their card and criterion, which is already their
-- primary key: kept in that key's own b-tree (WITHOUT ROWID), a score is one
-- b-tree entry instead of two (the row, and the key's index over it), and a
-- card's scores stay together. Same columns, same rows.
CREATE TABLE card_scores_by_card (
    scorecard_id    BIGINT NOT NULL REFERENCES scorecards (id),
    loop_id         BIGINT NOT NULL REFERENCES loops (id),
    stage_kind      TEXT NOT NULL,
    criterion       TEXT NOT NULL,
    score           BIGINT NOT NULL,
    PRIMARY KEY (scorecard_id, criterion)
) WITHOUT ROWID;
INSERT INTO card_scores_by_card (scorecard_id, loop_id, stage_kind, criterion, score)
    SELECT scorecard_id, loop_id, stage_kind, criterion, score FROM card_scores;
DROP TABLE card_scores;
ALTER TABLE card_scores_by_card RENAME TO card_scores;
CREATE INDEX card_scores_by_loop ON card_scores (loop_id, stage_kind, criterion, score);
