-- Security training (SPEC §6.4): the year's plan (approved on the workflow engine: its
-- approvals in `approvals`, its moves in `workflow_moves`, process 'training_plan'), its
-- trainings with their audience, and attendance.

CREATE TABLE training_plans (
    id {{PK}},
    year BIGINT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
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
CREATE UNIQUE INDEX training_plans_year ON training_plans (year);
CREATE INDEX training_plans_waiting ON training_plans (status, step_role, submitted_at);

CREATE TABLE trainings (
    id {{PK}},
    plan_id BIGINT NOT NULL REFERENCES training_plans (id),
    title TEXT NOT NULL,
    topic TEXT,
    planned_month BIGINT NOT NULL,
    held_at TEXT,
    trainer TEXT,
    document_id BIGINT REFERENCES documents (id),
    status TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX trainings_plan ON trainings (plan_id, planned_month, id);

-- Who a training is for: departments (each with its subtree) and roles; none: everyone.
CREATE TABLE training_audience (
    training_id BIGINT NOT NULL REFERENCES trainings (id),
    department_id BIGINT REFERENCES departments (id),
    role TEXT
);
CREATE INDEX training_audience_training ON training_audience (training_id);

CREATE TABLE training_attendance (
    training_id BIGINT NOT NULL REFERENCES trainings (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    attended BIGINT NOT NULL,
    score BIGINT,
    recorded_at TEXT NOT NULL
);
CREATE UNIQUE INDEX training_attendance_unique ON training_attendance (training_id, user_id);
CREATE INDEX training_attendance_user ON training_attendance (user_id, training_id);
