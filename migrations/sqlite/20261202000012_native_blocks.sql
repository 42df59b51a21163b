-- When Slack refused a native table or chart in this workspace
-- (`invalid_blocks`: workspaces get new blocks in phases). From then on the
-- workspace gets the PNG drawings instead.
ALTER TABLE teams ADD COLUMN native_blocks_refused_at BIGINT;
