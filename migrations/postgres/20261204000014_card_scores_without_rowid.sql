-- SQLite keeps card_scores in its primary key's b-tree from this version on
-- (WITHOUT ROWID). A PostgreSQL table has no rowid to drop: nothing changes
-- here, and the versions stay in step.
SELECT 1;
