-- Loop templates: each stage carries what its template said about it (NULL
-- for stages stored before templates: their kind's defaults apply), and the
-- loop remembers its template, the system-design prompt and the linter's
-- warnings at open.
ALTER TABLE stages ADD COLUMN title TEXT;
ALTER TABLE stages ADD COLUMN panel INTEGER;
ALTER TABLE stages ADD COLUMN probes TEXT;
ALTER TABLE stages ADD COLUMN guide TEXT;
ALTER TABLE stages ADD COLUMN candidate_hours TEXT;
ALTER TABLE loops ADD COLUMN template_name TEXT;
ALTER TABLE loops ADD COLUMN design_prompt TEXT;
ALTER TABLE loops ADD COLUMN warnings TEXT;
