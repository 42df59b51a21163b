-- An addendum written after the debrief started is posted on its own in the
-- reveal thread; the flag is set in the transaction that stores it.
ALTER TABLE scorecard_addenda ADD COLUMN after_reveal BIGINT NOT NULL DEFAULT 0;
-- A correction keeps the original decision's date (the report's window);
-- when it was corrected is kept beside it.
ALTER TABLE loops ADD COLUMN corrected_at BIGINT;
