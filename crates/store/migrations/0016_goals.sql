-- Security goals (SPEC §6.5): the company's goal for a year, department goals under it and
-- position goals under those. Each is approved by the owner of the goal above (the
-- committee for the company's) on the workflow engine: process 'goal', its approvals in
-- `approvals` (step 0 of each round), its moves in `workflow_moves`.

CREATE TABLE goals (
    id {{PK}},
    year BIGINT NOT NULL,
    level TEXT NOT NULL,
    parent_id BIGINT REFERENCES goals (id),
    department_id BIGINT REFERENCES departments (id),
    position TEXT,
    title TEXT NOT NULL,
    metric TEXT NOT NULL,
    target TEXT NOT NULL,
    owner_id BIGINT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL,
    progress BIGINT NOT NULL,
    progress_note TEXT,
    round BIGINT NOT NULL,
    submitted_by BIGINT REFERENCES users (id),
    submitted_at TEXT,
    published_by BIGINT REFERENCES users (id),
    published_at TEXT,
    created_by BIGINT REFERENCES users (id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX goals_year ON goals (year, level, id);
CREATE INDEX goals_parent ON goals (parent_id, id);
CREATE INDEX goals_owner ON goals (owner_id, status);
CREATE INDEX goals_waiting ON goals (status, level, submitted_at);
