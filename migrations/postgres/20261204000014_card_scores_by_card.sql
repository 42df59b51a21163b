-- Scores are kept by their card. Every card stores its scores in the same
-- transaction, on the hottest write there is; the reports that read scores
-- by loop are few and go through the cards (`scorecards_by_loop`) and the
-- primary key (scorecard_id, criterion). So `card_scores_by_loop` goes: one
-- index entry less per score stored. (SQLite also moves the table into its
-- primary key's b-tree; a PostgreSQL table has no rowid to drop.)
DROP INDEX card_scores_by_loop;
