-- Inspections (SPEC §6.3): checklists (the shipped one is inserted by the runner right
-- after this migration), plans on the workflow engine (process 'inspection_plan': approvals
-- in `approvals`, moves in `workflow_moves`), inspections with their items as they were
-- when scheduled, and each item's result; a failed item names its rectification task.

CREATE TABLE checklists (
    id {{PK}},
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    name_zh TEXT,
    description TEXT,
    builtin BIGINT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX checklists_code ON checklists (code);

CREATE TABLE checklist_items (
    checklist_id BIGINT NOT NULL REFERENCES checklists (id),
    position BIGINT NOT NULL,
    code TEXT NOT NULL,
    area TEXT NOT NULL,
    text TEXT NOT NULL,
    text_zh TEXT
);
CREATE UNIQUE INDEX checklist_items_code ON checklist_items (checklist_id, code);

CREATE TABLE inspection_plans (
    id {{PK}},
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    scope TEXT,
    frequency TEXT NOT NULL,
    checklist_id BIGINT NOT NULL REFERENCES checklists (id),
    department_id BIGINT REFERENCES departments (id),
    responsibilities TEXT,
    next_due_at TEXT NOT NULL,
    status TEXT NOT NULL,
    chain_id BIGINT,
    chain_version BIGINT,
    steps TEXT,
    round BIGINT NOT NULL,
    current_step BIGINT,
    step_role TEXT,
    step_path TEXT,
    step_user_id BIGINT,
    submitted_by BIGINT REFERENCES users (id),
    submitted_at TEXT,
    approved_by BIGINT REFERENCES users (id),
    approved_at TEXT,
    created_by BIGINT REFERENCES users (id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX inspection_plans_code ON inspection_plans (code);
CREATE INDEX inspection_plans_due ON inspection_plans (status, next_due_at, id);
CREATE INDEX inspection_plans_waiting ON inspection_plans (status, step_role, submitted_at);

CREATE TABLE inspection_plan_inspectors (
    plan_id BIGINT NOT NULL REFERENCES inspection_plans (id),
    user_id BIGINT NOT NULL REFERENCES users (id)
);
CREATE UNIQUE INDEX inspection_plan_inspectors_unique ON inspection_plan_inspectors (plan_id, user_id);
CREATE INDEX inspection_plan_inspectors_user ON inspection_plan_inspectors (user_id, plan_id);

CREATE TABLE inspections (
    id {{PK}},
    code TEXT NOT NULL,
    plan_id BIGINT NOT NULL REFERENCES inspection_plans (id),
    due_on TEXT NOT NULL,
    performed_at TEXT,
    status TEXT NOT NULL,
    summary TEXT,
    completed_at TEXT,
    completed_by BIGINT REFERENCES users (id),
    created_by BIGINT REFERENCES users (id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX inspections_code ON inspections (code);
CREATE INDEX inspections_plan ON inspections (plan_id, due_on, id);
CREATE INDEX inspections_due ON inspections (status, due_on, id);

CREATE TABLE inspection_inspectors (
    inspection_id BIGINT NOT NULL REFERENCES inspections (id),
    user_id BIGINT NOT NULL REFERENCES users (id)
);
CREATE UNIQUE INDEX inspection_inspectors_unique ON inspection_inspectors (inspection_id, user_id);
CREATE INDEX inspection_inspectors_user ON inspection_inspectors (user_id, inspection_id);

CREATE TABLE inspection_results (
    id {{PK}},
    inspection_id BIGINT NOT NULL REFERENCES inspections (id),
    position BIGINT NOT NULL,
    item_code TEXT NOT NULL,
    area TEXT NOT NULL,
    text TEXT NOT NULL,
    text_zh TEXT,
    result TEXT,
    note TEXT,
    rectification_id BIGINT REFERENCES rectifications (id),
    recorded_by BIGINT REFERENCES users (id),
    recorded_at TEXT
);
CREATE UNIQUE INDEX inspection_results_item ON inspection_results (inspection_id, item_code);
CREATE INDEX inspection_results_failed ON inspection_results (result, inspection_id);
