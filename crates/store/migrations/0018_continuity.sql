-- Continuity (SPEC §6.7): backup plans per asset with their restore tests, disaster-recovery
-- plans over assets with their document, and drills of those plans whose problems name
-- their rectification tasks (source 'drill' in `rectifications`).

CREATE TABLE backup_plans (
    id {{PK}},
    asset_id BIGINT NOT NULL REFERENCES assets (id),
    scope TEXT NOT NULL,
    frequency TEXT NOT NULL,
    retention TEXT NOT NULL,
    location TEXT NOT NULL,
    rpo_hours BIGINT NOT NULL,
    rto_hours BIGINT NOT NULL,
    owner_id BIGINT NOT NULL REFERENCES users (id),
    last_verified_at TEXT,
    last_result TEXT,
    last_note TEXT,
    last_verified_by BIGINT REFERENCES users (id),
    created_by BIGINT REFERENCES users (id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (rpo_hours > 0 AND rto_hours > 0)
);
CREATE INDEX backup_plans_asset ON backup_plans (asset_id, id);
CREATE INDEX backup_plans_verified ON backup_plans (last_verified_at, id);
CREATE INDEX backup_plans_updated ON backup_plans (updated_at, id);

CREATE TABLE backup_verifications (
    id {{PK}},
    plan_id BIGINT NOT NULL REFERENCES backup_plans (id),
    verified_at TEXT NOT NULL,
    result TEXT NOT NULL,
    note TEXT,
    verified_by BIGINT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX backup_verifications_plan ON backup_verifications (plan_id, verified_at, id);

CREATE TABLE dr_plans (
    id {{PK}},
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    document_id BIGINT NOT NULL REFERENCES documents (id),
    owner_id BIGINT NOT NULL REFERENCES users (id),
    rto_hours BIGINT NOT NULL,
    adopted_at TEXT NOT NULL,
    description TEXT,
    created_by BIGINT REFERENCES users (id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (rto_hours > 0)
);
CREATE UNIQUE INDEX dr_plans_code ON dr_plans (code);
CREATE INDEX dr_plans_title ON dr_plans (title, id);

CREATE TABLE dr_plan_assets (
    plan_id BIGINT NOT NULL REFERENCES dr_plans (id),
    asset_id BIGINT NOT NULL REFERENCES assets (id)
);
CREATE UNIQUE INDEX dr_plan_assets_unique ON dr_plan_assets (plan_id, asset_id);
CREATE INDEX dr_plan_assets_asset ON dr_plan_assets (asset_id, plan_id);

CREATE TABLE drills (
    id {{PK}},
    code TEXT NOT NULL,
    dr_plan_id BIGINT NOT NULL REFERENCES dr_plans (id),
    held_at TEXT NOT NULL,
    scenario TEXT NOT NULL,
    result TEXT NOT NULL,
    achieved_rto_hours BIGINT,
    summary TEXT,
    created_by BIGINT REFERENCES users (id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX drills_code ON drills (code);
CREATE INDEX drills_held ON drills (held_at, id);
CREATE INDEX drills_plan ON drills (dr_plan_id, held_at);

CREATE TABLE drill_participants (
    drill_id BIGINT NOT NULL REFERENCES drills (id),
    user_id BIGINT NOT NULL REFERENCES users (id)
);
CREATE UNIQUE INDEX drill_participants_unique ON drill_participants (drill_id, user_id);
CREATE INDEX drill_participants_user ON drill_participants (user_id, drill_id);

CREATE TABLE drill_problems (
    id {{PK}},
    drill_id BIGINT NOT NULL REFERENCES drills (id),
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    rectification_id BIGINT REFERENCES rectifications (id),
    created_at TEXT NOT NULL
);
CREATE INDEX drill_problems_drill ON drill_problems (drill_id, id);
