-- What the people picker finds a user by: username, display name and its pinyin (whole
-- and initials), in lower case; filled for existing users right after this migration.
ALTER TABLE users ADD COLUMN search_key TEXT;
