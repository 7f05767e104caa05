-- Files uploaded on the import page and checked, waiting for the user to commit them. In the
-- database rather than on one server's disk, so that the commit may reach any instance.
-- Rows are removed when committed and after an hour.
CREATE TABLE pending_uploads (
    id {{PK}},
    user_id BIGINT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    file_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    content {{BLOB}} NOT NULL
);
CREATE INDEX pending_uploads_created ON pending_uploads (created_at);
