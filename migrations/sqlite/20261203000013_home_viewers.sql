-- People who have opened the bot's App Home. Slack shows a Home only to
-- someone who opens it, and says so each time (`app_home_opened`, which
-- publishes it fresh); so a Home is refreshed on later changes only for
-- those who have looked at it once. Everyone else's is built when they first
-- open it, and no Slack call is spent on a tab nobody has seen.
CREATE TABLE home_viewers (
    user_id TEXT NOT NULL,
    team_id TEXT NOT NULL,
    first_opened_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, team_id)
);
