-- Security incidents (SPEC §5): reported by anyone, triaged by class, level and category,
-- handled by a team on a timeline, closed with a root cause and lessons learned.

CREATE TABLE incidents (
    id {{PK}},
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    location TEXT,
    occurred_at TEXT NOT NULL,
    detected_at TEXT,
    reported_at TEXT NOT NULL,
    reporter_id BIGINT REFERENCES users (id),
    -- the reporter's department when reporting: readers within a department scope find
    -- incidents by it
    department_id BIGINT REFERENCES departments (id),
    category TEXT,
    class TEXT,
    level TEXT,
    status TEXT NOT NULL,
    triaged_at TEXT,
    triaged_by BIGINT REFERENCES users (id),
    committee_noted_at TEXT,
    committee_noted_by BIGINT REFERENCES users (id),
    contained_at TEXT,
    closed_at TEXT,
    root_cause TEXT,
    lessons_learned TEXT,
    rejection_reason TEXT,
    -- lower-cased code, title and location, for the list's search
    search_text TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE UNIQUE INDEX incidents_code ON incidents (code);
-- The list pages newest first by report time; each filter has an index that keeps that order.
CREATE INDEX incidents_reported ON incidents (reported_at, id);
CREATE INDEX incidents_status ON incidents (status, reported_at, id);
CREATE INDEX incidents_level ON incidents (level, reported_at, id);
CREATE INDEX incidents_class ON incidents (class, reported_at, id);
CREATE INDEX incidents_category ON incidents (category, reported_at, id);
CREATE INDEX incidents_reporter ON incidents (reporter_id, reported_at, id);
CREATE INDEX incidents_department ON incidents (department_id, reported_at, id);
-- Incidents waiting for triage or for the committee's notice ("waiting for me").
CREATE INDEX incidents_open_triage ON incidents (status, triaged_at);

CREATE TABLE incident_assets (
    incident_id BIGINT NOT NULL REFERENCES incidents (id),
    asset_id BIGINT NOT NULL REFERENCES assets (id),
    -- the asset's category when it was named on the incident: network, application and data
    -- administrators see the incidents on their kind of asset through it
    category TEXT NOT NULL,
    PRIMARY KEY (incident_id, asset_id)
);
CREATE INDEX incident_assets_asset ON incident_assets (asset_id, incident_id);
CREATE INDEX incident_assets_category ON incident_assets (category, incident_id);

CREATE TABLE incident_handlers (
    incident_id BIGINT NOT NULL REFERENCES incidents (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (incident_id, user_id)
);
CREATE INDEX incident_handlers_user ON incident_handlers (user_id, incident_id);

-- The team's dated entries: what was seen, what was done. Never edited.
CREATE TABLE incident_timeline (
    id {{PK}},
    incident_id BIGINT NOT NULL REFERENCES incidents (id),
    at TEXT NOT NULL,
    note TEXT NOT NULL,
    author_id BIGINT REFERENCES users (id),
    author TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX incident_timeline_incident ON incident_timeline (incident_id, at, id);

-- @sqlite
CREATE TRIGGER incident_timeline_no_update BEFORE UPDATE ON incident_timeline
BEGIN
    SELECT RAISE(ABORT, 'incident timeline entries are never edited');
END;
CREATE TRIGGER incident_timeline_no_delete BEFORE DELETE ON incident_timeline
BEGIN
    SELECT RAISE(ABORT, 'incident timeline entries are never deleted');
END;
-- @postgres
CREATE FUNCTION incident_timeline_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'incident timeline entries are never edited or deleted';
END;
$$;
CREATE TRIGGER incident_timeline_frozen BEFORE UPDATE OR DELETE ON incident_timeline
    FOR EACH ROW EXECUTE FUNCTION incident_timeline_frozen();
