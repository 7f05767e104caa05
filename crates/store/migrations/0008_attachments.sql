-- Files attached to records of any process (incidents, documents, inspections, drills,
-- evidence). An attachment belongs to one owner, named by a code the owning area declares
-- (`owner_kind`) and the owner's id; the kernel does not know the owners' tables, so there
-- is no foreign key to them. The content is in the database, so every instance serves it:
-- split in chunks of at most 1 MiB, written and read one chunk at a time, so neither an
-- upload nor a download holds a whole file in memory.
CREATE TABLE attachments (
    id {{PK}},
    owner_kind TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_by BIGINT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX attachments_owner ON attachments (owner_kind, owner_id, id);

CREATE TABLE attachment_chunks (
    attachment_id BIGINT NOT NULL REFERENCES attachments (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    data {{BLOB}} NOT NULL,
    PRIMARY KEY (attachment_id, seq)
);

-- @postgres
-- PostgreSQL only: store chunks out of line without compression. Most attachments (PDF,
-- images, office files, archives) are compressed already; compressing them again costs
-- time on every write and gains nothing.
ALTER TABLE attachment_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
-- @all
