-- Foundation: organization, accounts, credentials, login throttling, audit trail.
-- Timestamps are fixed-width UTC text (2026-11-22T03:15:00.000000Z): they sort and compare
-- the same way on both engines.

CREATE TABLE departments (
    id {{PK}},
    name TEXT NOT NULL,
    code TEXT,
    parent_id BIGINT REFERENCES departments (id),
    -- ids from the root down to this department, e.g. /1/4/9/; subtree = prefix match
    path TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX departments_code ON departments (code);
CREATE UNIQUE INDEX departments_sibling_name ON departments (COALESCE(parent_id, 0), name);
CREATE INDEX departments_parent ON departments (parent_id);
CREATE INDEX departments_path ON departments (path);

CREATE TABLE users (
    id {{PK}},
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    email TEXT,
    department_id BIGINT REFERENCES departments (id),
    position TEXT,
    status TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    language TEXT,
    last_login_at TEXT,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (username);
CREATE INDEX users_department ON users (department_id);
CREATE INDEX users_display_name ON users (display_name, id);
CREATE INDEX users_created ON users (created_at, id);

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    department_id BIGINT REFERENCES departments (id),
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX user_roles_unique ON user_roles (user_id, role, COALESCE(department_id, 0));
CREATE INDEX user_roles_role ON user_roles (role);
CREATE INDEX user_roles_department ON user_roles (department_id);

-- Browser sessions, bearer tokens from /auth/login and personal API tokens. Only the
-- SHA-256 of a secret is stored.
CREATE TABLE auth_tokens (
    id {{PK}},
    user_id BIGINT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    name TEXT,
    token_hash TEXT NOT NULL,
    prefix TEXT NOT NULL,
    csrf_token TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    last_used_at TEXT,
    revoked_at TEXT,
    client_ip TEXT,
    user_agent TEXT
);
CREATE UNIQUE INDEX auth_tokens_hash ON auth_tokens (token_hash);
CREATE INDEX auth_tokens_user ON auth_tokens (user_id, kind);

-- Failed sign-ins per account (user:NAME) and per client address (ip:ADDR).
CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_start TEXT NOT NULL,
    locked_until TEXT
);

-- The audit trail: append-only, hash-chained (SPEC §9).
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id BIGINT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT,
    before_data TEXT,
    after_data TEXT,
    client_ip TEXT,
    request_id TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_at ON audit_log (at, seq);

-- The chain head: the last sequence number and hash. Writers lock this row, which orders
-- entries across transactions and instances.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- @sqlite
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- @postgres
CREATE FUNCTION castellan_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION castellan_audit_append_only();
-- @all
