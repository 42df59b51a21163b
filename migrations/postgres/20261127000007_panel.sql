-- Where the plan message landed, so a change of panel can update it.
ALTER TABLE loops ADD COLUMN plan_ts TEXT;
