-- The workflow engine (SPEC §6.0): one table of moves and one of approvals for every
-- process, approval chains, the working-day calendar, department heads, per-year codes,
-- and the first process built on it: approval requests (SPEC §6.1).

-- Every move of every process: who made it, when and why. Never changed.
CREATE TABLE workflow_moves (
    id {{PK}},
    process TEXT NOT NULL,
    item_id BIGINT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    actor_id BIGINT,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    comment TEXT
);
CREATE INDEX workflow_moves_item ON workflow_moves (process, item_id, id);

-- The assessments' moves so far. `assessment_moves` stays, unread, for binaries from before
-- this migration (expand/contract); a later migration drops it.
INSERT INTO workflow_moves (process, item_id, from_state, to_state, actor_id, actor, at, comment)
SELECT 'assessment', assessment_id, from_phase, to_phase, actor_id, actor, at, comment
FROM assessment_moves ORDER BY id;

-- Every decision: approve, reject, return, close. Never changed.
-- `round` counts submissions (a returned item starts a new round); `step` is 0-based.
CREATE TABLE approvals (
    id {{PK}},
    process TEXT NOT NULL,
    item_id BIGINT NOT NULL,
    round BIGINT NOT NULL,
    step BIGINT NOT NULL,
    step_name TEXT NOT NULL,
    approver_id BIGINT REFERENCES users (id),
    approver TEXT NOT NULL,
    decision TEXT NOT NULL,
    comment TEXT,
    at TEXT NOT NULL
);
CREATE INDEX approvals_item ON approvals (process, item_id, id);
-- one decision per person, step and round
CREATE UNIQUE INDEX approvals_once ON approvals (process, item_id, round, step, approver_id);
-- "decided by me" and "not yet decided by me" (waiting for me) look up by approver first
CREATE INDEX approvals_approver ON approvals (approver_id, process, item_id, round, step);

-- The assessments' decisions so far (each review its own round), and the committee's
-- decisions on single risks.
INSERT INTO approvals (process, item_id, round, step, step_name, approver_id, approver, decision, comment, at)
SELECT 'assessment', assessment_id, id, 0, from_phase, actor_id, actor,
       CASE WHEN to_phase IN ('approved') THEN 'approve'
            WHEN to_phase = 'closed' THEN 'close'
            ELSE 'return' END,
       comment, at
FROM assessment_moves
WHERE from_phase IN ('review', 'residual_review') AND actor_id IS NOT NULL
ORDER BY id;
INSERT INTO approvals (process, item_id, round, step, step_name, approver_id, approver, decision, comment, at)
SELECT 'risk', r.id, 1, 0, 'treatment_acceptance', r.approved_by,
       COALESCE((SELECT u.username FROM users u WHERE u.id = r.approved_by), ''), 'approve', r.approval_comment, r.approved_at
FROM risks r WHERE r.approved_by IS NOT NULL AND r.approved_at IS NOT NULL ORDER BY r.id;
INSERT INTO approvals (process, item_id, round, step, step_name, approver_id, approver, decision, comment, at)
SELECT 'risk', r.id, 1, 1, 'residual_acceptance', r.residual_accepted_by,
       COALESCE((SELECT u.username FROM users u WHERE u.id = r.residual_accepted_by), ''), 'approve', r.residual_comment, r.residual_accepted_at
FROM risks r WHERE r.residual_accepted_by IS NOT NULL AND r.residual_accepted_at IS NOT NULL ORDER BY r.id;

-- Approval chains: one per kind of item and impact; steps as JSON
-- [{name, approver_role, scope, min_approvals}]. Items copy the steps when submitted.
CREATE TABLE approval_chains (
    id {{PK}},
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    applies_to TEXT NOT NULL,
    impact TEXT NOT NULL,
    steps TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX approval_chains_code ON approval_chains (code);
CREATE UNIQUE INDEX approval_chains_applies ON approval_chains (applies_to, impact);

-- The working-day calendar: entered public holidays and make-up working days.
CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- A department may name its head (the `department_head` approver).
ALTER TABLE departments ADD COLUMN head_id BIGINT REFERENCES users (id);

-- Per-year counters behind readable codes (REQ-2026-00042).
CREATE TABLE code_counters (
    prefix TEXT PRIMARY KEY,
    last BIGINT NOT NULL
);

-- Approval requests (SPEC §6.1).
CREATE TABLE requests (
    id {{PK}},
    code TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    impact TEXT NOT NULL,
    requester_id BIGINT REFERENCES users (id),
    department_id BIGINT REFERENCES departments (id),
    asset_id BIGINT REFERENCES assets (id),
    subject_user_id BIGINT REFERENCES users (id),
    -- why the request exists: 'user' (someone asked), 'job_change', 'disabled' (opened by
    -- Castellan for the one-working-day access deadline)
    origin TEXT NOT NULL,
    status TEXT NOT NULL,
    -- the chain the request was submitted with, and its steps as they were then
    chain_id BIGINT REFERENCES approval_chains (id),
    chain_version BIGINT,
    steps TEXT,
    round BIGINT NOT NULL,
    current_step BIGINT,
    -- who approves the current step, kept for "waiting for me": role code or
    -- 'department_head', the requester's department path for scoped steps, the head's id
    step_role TEXT,
    step_path TEXT,
    step_user_id BIGINT,
    submitted_by BIGINT REFERENCES users (id),
    submitted_at TEXT,
    due_at TEXT,
    implemented_at TEXT,
    implemented_by BIGINT REFERENCES users (id),
    -- 1 met, 0 breached, NULL not implemented or no deadline
    deadline_met BIGINT,
    created_by BIGINT REFERENCES users (id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX requests_code ON requests (code);
CREATE INDEX requests_list ON requests (created_at, id);
CREATE INDEX requests_status ON requests (status, created_at, id);
-- approved requests to carry out and carried-out ones to close, oldest change first
CREATE INDEX requests_status_updated ON requests (status, updated_at, id);
CREATE INDEX requests_waiting ON requests (status, step_role, submitted_at);
CREATE INDEX requests_step_user ON requests (step_user_id, status);
CREATE INDEX requests_requester ON requests (requester_id, status);
CREATE INDEX requests_subject ON requests (subject_user_id);
CREATE INDEX requests_deadline ON requests (deadline_met, due_at);
CREATE INDEX requests_asset ON requests (asset_id);
