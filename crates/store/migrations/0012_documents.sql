-- Controlled documents (SPEC §6.2): the register and each document's versions with the
-- change history the seeds keep. A version's approvals are kept in `approvals` and its
-- moves in `workflow_moves` (process 'document', item = the version's id).

CREATE TABLE documents (
    id {{PK}},
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    family TEXT NOT NULL,
    owner_id BIGINT NOT NULL REFERENCES users (id),
    department_id BIGINT REFERENCES departments (id),
    -- retired, else effective while a version is in force, else the newest version's
    status TEXT NOT NULL,
    current_version TEXT,
    pending_version TEXT,
    effective_at TEXT,
    review_interval_months BIGINT NOT NULL,
    next_review_at TEXT,
    reviewed_at TEXT,
    created_by BIGINT REFERENCES users (id),
    -- lower-cased code and title, for the register's search
    search_text TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE UNIQUE INDEX documents_code ON documents (code);
-- The register is in reference order; each filter has an index that keeps it.
CREATE INDEX documents_status ON documents (status, code);
CREATE INDEX documents_kind ON documents (kind, code);
CREATE INDEX documents_family ON documents (family, code);
CREATE INDEX documents_owner ON documents (owner_id, code);
CREATE INDEX documents_department ON documents (department_id, code);
-- Reviews due: documents in force by review day.
CREATE INDEX documents_review ON documents (next_review_at, id) WHERE next_review_at IS NOT NULL;

CREATE TABLE document_versions (
    id {{PK}},
    document_id BIGINT NOT NULL REFERENCES documents (id),
    major BIGINT NOT NULL,
    minor BIGINT NOT NULL,
    status TEXT NOT NULL,
    change_note TEXT NOT NULL,
    body TEXT,
    author_id BIGINT NOT NULL REFERENCES users (id),
    authored_at TEXT NOT NULL,
    -- the approval chain it was last submitted with, and where it stands on it
    chain_id BIGINT,
    chain_version BIGINT,
    steps TEXT,
    round BIGINT NOT NULL,
    current_step BIGINT,
    -- who approves the current step ("waiting for me" finds versions by it)
    step_role TEXT,
    step_path TEXT,
    step_user_id BIGINT,
    submitted_by BIGINT REFERENCES users (id),
    submitted_at TEXT,
    reviewer_id BIGINT REFERENCES users (id),
    reviewed_at TEXT,
    approver_id BIGINT REFERENCES users (id),
    approved_at TEXT,
    effective_at TEXT,
    published_by BIGINT REFERENCES users (id),
    ended_at TEXT,
    version BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE UNIQUE INDEX document_versions_number ON document_versions (document_id, major, minor);
CREATE INDEX document_versions_waiting ON document_versions (status, step_role, submitted_at);
CREATE INDEX document_versions_author ON document_versions (author_id, document_id);
