-- Each session's browser as it named itself, so a user can tell their sessions apart when ending one
-- (issue 22, account pages). Additive: an older binary ignores it.
ALTER TABLE sessions ADD COLUMN user_agent text CHECK (length(user_agent) <= 300);
