-- Who a document in force is addressed to (departments, with their subtrees, and roles),
-- and who confirmed reading which version (SPEC §6.2).

CREATE TABLE document_addressees (
    document_id BIGINT NOT NULL REFERENCES documents (id),
    department_id BIGINT REFERENCES departments (id),
    role TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX document_addressees_document ON document_addressees (document_id);
CREATE INDEX document_addressees_department ON document_addressees (department_id, document_id);
CREATE INDEX document_addressees_role ON document_addressees (role, document_id);

CREATE TABLE document_acknowledgements (
    document_id BIGINT NOT NULL REFERENCES documents (id),
    version_id BIGINT NOT NULL REFERENCES document_versions (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    at TEXT NOT NULL
);
CREATE UNIQUE INDEX document_acknowledgements_unique ON document_acknowledgements (version_id, user_id);
CREATE INDEX document_acknowledgements_user ON document_acknowledgements (user_id, version_id);
