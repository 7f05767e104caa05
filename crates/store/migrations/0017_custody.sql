-- Privileged-password custody (SPEC §6.6): per system (an asset) and administrative account,
-- the holder and the trained backup holder, and the handovers between holders with their
-- witness and the password change that followed. Never a password.

CREATE TABLE custody (
    id {{PK}},
    asset_id BIGINT NOT NULL REFERENCES assets (id),
    account TEXT NOT NULL,
    holder_id BIGINT NOT NULL REFERENCES users (id),
    holder_department_id BIGINT REFERENCES departments (id),
    backup_holder_id BIGINT REFERENCES users (id),
    backup_department_id BIGINT REFERENCES departments (id),
    last_changed_at TEXT,
    change_interval_days BIGINT NOT NULL,
    note TEXT,
    active BIGINT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX custody_asset ON custody (asset_id, account);
CREATE INDEX custody_holder ON custody (holder_id);
CREATE INDEX custody_backup ON custody (backup_holder_id);

CREATE TABLE custody_handovers (
    id {{PK}},
    custody_id BIGINT NOT NULL REFERENCES custody (id),
    from_id BIGINT NOT NULL REFERENCES users (id),
    to_id BIGINT NOT NULL REFERENCES users (id),
    at TEXT NOT NULL,
    witness_id BIGINT NOT NULL REFERENCES users (id),
    reason TEXT NOT NULL,
    password_changed_at TEXT,
    created_by BIGINT REFERENCES users (id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX custody_handovers_of ON custody_handovers (custody_id, id);
CREATE INDEX custody_handovers_witness ON custody_handovers (witness_id);
