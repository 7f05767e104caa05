-- Asset register (SPEC §3): assets with C/I/A valuation, their tags and lifecycle events,
-- and the organization's settings (the valuation method lives there).

-- Organization-wide settings, one JSON document per key, versioned for If-Match.
CREATE TABLE org_settings (
    setting_key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE assets (
    id {{PK}},
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    department_id BIGINT REFERENCES departments (id),
    owner_id BIGINT REFERENCES users (id),
    custodian TEXT,
    location TEXT,
    zone TEXT,
    classification TEXT,
    confidentiality BIGINT NOT NULL,
    integrity BIGINT NOT NULL,
    availability BIGINT NOT NULL,
    -- in tenths (43 = 4.3), computed by the organization's valuation method
    value_score BIGINT NOT NULL,
    value_level BIGINT NOT NULL,
    status TEXT NOT NULL,
    -- ';'-separated, for display; asset_tags holds one row per tag for filtering
    tags TEXT NOT NULL,
    notes TEXT,
    -- lower-cased code, name, location and notes, for the q search
    search_text TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX assets_code ON assets (code);
CREATE INDEX assets_name ON assets (name, id);
CREATE INDEX assets_value ON assets (value_score, id);
CREATE INDEX assets_updated ON assets (updated_at, id);
-- An equality filter plus the default order (by code) is one index range: real asset codes
-- often start with a category prefix, so scanning the code index and filtering would read
-- most of the table before the first match.
CREATE INDEX assets_department ON assets (department_id, code);
CREATE INDEX assets_owner ON assets (owner_id, code);
CREATE INDEX assets_category ON assets (category, code);
CREATE INDEX assets_status ON assets (status, code);
CREATE INDEX assets_level ON assets (value_level, code);

CREATE TABLE asset_tags (
    asset_id BIGINT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (tag, asset_id)
);
CREATE INDEX asset_tags_asset ON asset_tags (asset_id);

-- The lifecycle: what happened to an asset, by whom and when. Never deleted.
CREATE TABLE asset_events (
    id {{PK}},
    asset_id BIGINT NOT NULL REFERENCES assets (id),
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    actor_id BIGINT,
    actor TEXT NOT NULL,
    note TEXT,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    -- JSON: what else changed (department, owner, location …)
    details TEXT
);
CREATE INDEX asset_events_asset ON asset_events (asset_id, id);
