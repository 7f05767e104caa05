-- Rectification tasks (SPEC §6.3), shared by incidents, inspections, drills and audits:
-- what must be put right, by whom, by when; done by the responsible person, verified or
-- reopened by the verifier. Moves are kept in workflow_moves (process 'rectification').

CREATE TABLE rectifications (
    id {{PK}},
    code TEXT NOT NULL,
    -- where the task comes from: a source kind and the record's id and readable code
    source TEXT NOT NULL,
    source_id BIGINT NOT NULL,
    source_code TEXT NOT NULL,
    -- the source's department: readers limited to departments find tasks by it
    department_id BIGINT REFERENCES departments (id),
    description TEXT NOT NULL,
    responsible_id BIGINT NOT NULL REFERENCES users (id),
    verifier_id BIGINT NOT NULL REFERENCES users (id),
    due_on TEXT NOT NULL,
    status TEXT NOT NULL,
    resolution TEXT,
    done_at TEXT,
    verified_at TEXT,
    created_by BIGINT REFERENCES users (id),
    -- lower-cased code, source code and description, for the list's search
    search_text TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE UNIQUE INDEX rectifications_code ON rectifications (code);
-- The list is in due order; each filter has an index that keeps it.
CREATE INDEX rectifications_due ON rectifications (due_on, id);
CREATE INDEX rectifications_status ON rectifications (status, due_on, id);
CREATE INDEX rectifications_source ON rectifications (source, source_id, due_on, id);
CREATE INDEX rectifications_responsible ON rectifications (responsible_id, status, due_on, id);
CREATE INDEX rectifications_verifier ON rectifications (verifier_id, status, due_on, id);
CREATE INDEX rectifications_creator ON rectifications (created_by, due_on, id);
CREATE INDEX rectifications_department ON rectifications (department_id, due_on, id);
