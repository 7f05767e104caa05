-- Risk assessment (SPEC §4): the threat catalog, vulnerability findings, existing controls,
-- assessments with their scope, team, checklist and moves, risks with their ratings,
-- treatment plans and residual ratings. The shipped threat catalog is inserted by the
-- migration runner right after this file (it lives in the domain crate, in both languages).

CREATE TABLE threats (
    id {{PK}},
    code TEXT NOT NULL,
    source TEXT NOT NULL,
    path TEXT NOT NULL,
    method TEXT NOT NULL,
    name_en TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    description_en TEXT NOT NULL,
    description_zh TEXT NOT NULL,
    -- 1 for entries shipped with Castellan, 0 for the organization's own
    builtin BIGINT NOT NULL,
    -- 0 once retired from use: kept for the risks that name it
    active BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX threats_code ON threats (code);

CREATE TABLE vulnerabilities (
    id {{PK}},
    asset_id BIGINT NOT NULL REFERENCES assets (id),
    title TEXT NOT NULL,
    description TEXT,
    severity BIGINT NOT NULL,
    status TEXT NOT NULL,
    reference TEXT,
    found_by TEXT NOT NULL,
    found_on TEXT,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX vulnerabilities_asset ON vulnerabilities (asset_id, id);
CREATE INDEX vulnerabilities_severity ON vulnerabilities (severity, id);

CREATE TABLE controls (
    id {{PK}},
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    description TEXT,
    effectiveness TEXT NOT NULL,
    -- the asset it protects; NULL for an organization-wide control
    asset_id BIGINT REFERENCES assets (id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX controls_asset ON controls (asset_id, id);

CREATE TABLE assessments (
    id {{PK}},
    name TEXT NOT NULL,
    description TEXT,
    method TEXT NOT NULL,
    -- the version of the organization's risk tables the ratings were computed with, and
    -- those tables themselves (JSON), so a closed assessment keeps what it was rated by
    tables_version BIGINT NOT NULL,
    tables TEXT NOT NULL,
    acceptance_threshold BIGINT NOT NULL,
    phase TEXT NOT NULL,
    -- who handed it over for the current review (separation of duties)
    submitted_by BIGINT REFERENCES users (id),
    planned_start TEXT,
    planned_end TEXT,
    created_by BIGINT REFERENCES users (id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX assessments_updated ON assessments (updated_at, id);
CREATE INDEX assessments_phase ON assessments (phase, id);

CREATE TABLE assessment_departments (
    assessment_id BIGINT NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    PRIMARY KEY (assessment_id, department_id)
);

CREATE TABLE assessment_assets (
    assessment_id BIGINT NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    asset_id BIGINT NOT NULL REFERENCES assets (id),
    PRIMARY KEY (assessment_id, asset_id)
);

CREATE TABLE assessment_team (
    assessment_id BIGINT NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (assessment_id, user_id)
);
CREATE INDEX assessment_team_user ON assessment_team (user_id);

CREATE TABLE assessment_checklist (
    assessment_id BIGINT NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    area TEXT NOT NULL,
    technique TEXT NOT NULL,
    done BIGINT NOT NULL,
    note TEXT,
    PRIMARY KEY (assessment_id, area, technique)
);

-- Every phase move, who made it, when and why. Never changed.
CREATE TABLE assessment_moves (
    id {{PK}},
    assessment_id BIGINT NOT NULL REFERENCES assessments (id),
    from_phase TEXT NOT NULL,
    to_phase TEXT NOT NULL,
    actor_id BIGINT,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    comment TEXT
);
CREATE INDEX assessment_moves_assessment ON assessment_moves (assessment_id, id);

CREATE TABLE risks (
    id {{PK}},
    assessment_id BIGINT NOT NULL REFERENCES assessments (id),
    asset_id BIGINT NOT NULL REFERENCES assets (id),
    threat_id BIGINT NOT NULL REFERENCES threats (id),
    vulnerability_id BIGINT REFERENCES vulnerabilities (id),
    -- 0 when no vulnerability is named, so the uniqueness below holds on both engines
    vulnerability_key BIGINT NOT NULL,
    description TEXT,
    -- the rating: NULL until rated; values in hundredths
    threat_frequency BIGINT,
    vulnerability_severity BIGINT,
    asset_value_level BIGINT,
    likelihood_value BIGINT,
    likelihood_level BIGINT,
    loss_value BIGINT,
    loss_level BIGINT,
    risk_value BIGINT,
    risk_level BIGINT,
    -- risk level × 10000 + risk value (0 unrated): the register's order, highest first
    risk_rank BIGINT NOT NULL,
    treatment TEXT,
    -- the committee's approval of keeping or accepting a risk at or above the threshold
    approved_by BIGINT REFERENCES users (id),
    approved_at TEXT,
    approval_comment TEXT,
    residual_threat_frequency BIGINT,
    residual_vulnerability_severity BIGINT,
    residual_likelihood_value BIGINT,
    residual_likelihood_level BIGINT,
    residual_loss_value BIGINT,
    residual_loss_level BIGINT,
    residual_risk_value BIGINT,
    residual_risk_level BIGINT,
    -- the committee's acceptance of a residual risk at or above the threshold
    residual_accepted_by BIGINT REFERENCES users (id),
    residual_accepted_at TEXT,
    residual_comment TEXT,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX risks_identity ON risks (assessment_id, asset_id, threat_id, vulnerability_key);
CREATE INDEX risks_register ON risks (assessment_id, risk_rank, id);
-- the register filtered by treatment option, in register order
CREATE INDEX risks_treatment ON risks (assessment_id, treatment, risk_rank, id);
-- the heat maps count from these alone
CREATE INDEX risks_heat ON risks (assessment_id, likelihood_level, loss_level);
CREATE INDEX risks_residual_heat ON risks (assessment_id, residual_likelihood_level, residual_loss_level);
-- re-rating after a table change finds the risks of each (T, V, A) through these
CREATE INDEX risks_rating ON risks (assessment_id, threat_frequency, vulnerability_severity, asset_value_level);
CREATE INDEX risks_residual_rating ON risks (assessment_id, residual_threat_frequency, residual_vulnerability_severity, asset_value_level);
CREATE INDEX risks_asset ON risks (asset_id);
CREATE INDEX risks_threat ON risks (threat_id);

CREATE TABLE treatment_items (
    id {{PK}},
    risk_id BIGINT NOT NULL REFERENCES risks (id),
    assessment_id BIGINT NOT NULL REFERENCES assessments (id),
    measure TEXT NOT NULL,
    control_id BIGINT REFERENCES controls (id),
    department_id BIGINT REFERENCES departments (id),
    responsible_id BIGINT REFERENCES users (id),
    due_on TEXT,
    status TEXT NOT NULL,
    progress TEXT,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX treatment_items_risk ON treatment_items (risk_id, id);
CREATE INDEX treatment_items_assessment ON treatment_items (assessment_id, id);
CREATE INDEX treatment_items_responsible ON treatment_items (responsible_id, due_on);
