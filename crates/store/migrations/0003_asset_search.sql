-- Substring search over assets (`q`, SPEC §3): an index of the trigrams of the lower-cased
-- search text, so that a search, Chinese included, reads the index instead of every row.
-- The search text gains a second separator at its end, so that every character starts a
-- trigram and one- and two-character searches can be answered from the index (SQLite).

-- @sqlite
UPDATE assets SET search_text = search_text || char(31);
-- FTS5 with the trigram tokenizer, kept in step with the table by triggers. The content
-- is the table itself (no second copy of the text).
CREATE VIRTUAL TABLE asset_search USING fts5(
    search_text,
    content = 'assets',
    content_rowid = 'id',
    tokenize = 'trigram'
);
INSERT INTO asset_search (asset_search) VALUES ('rebuild');
-- The indexed trigrams, for expanding a short search to those that start with it.
CREATE VIRTUAL TABLE asset_search_terms USING fts5vocab(asset_search, 'row');
CREATE TRIGGER asset_search_insert AFTER INSERT ON assets BEGIN
    INSERT INTO asset_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER asset_search_delete AFTER DELETE ON assets BEGIN
    INSERT INTO asset_search (asset_search, rowid, search_text)
    VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER asset_search_update AFTER UPDATE OF search_text ON assets BEGIN
    INSERT INTO asset_search (asset_search, rowid, search_text)
    VALUES ('delete', old.id, old.search_text);
    INSERT INTO asset_search (rowid, search_text) VALUES (new.id, new.search_text);
END;

-- @postgres
UPDATE assets SET search_text = search_text || chr(31);
-- A GIN index of pg_trgm trigrams, which LIKE '%…%' uses. The extension is created if it
-- is missing and may be (it ships with PostgreSQL; creating it needs the CREATE privilege
-- on the database). Without it the index is left out and searches read the rows.
DO $$
DECLARE
    ext_schema text;
BEGIN
    SELECT n.nspname INTO ext_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_trgm';
    IF ext_schema IS NULL THEN
        BEGIN
            CREATE EXTENSION pg_trgm;
            SELECT n.nspname INTO ext_schema
            FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
            WHERE e.extname = 'pg_trgm';
        EXCEPTION WHEN OTHERS THEN
            RAISE WARNING 'pg_trgm is not available (%); asset searches will read every row', SQLERRM;
        END;
    END IF;
    IF ext_schema IS NOT NULL THEN
        EXECUTE format(
            'CREATE INDEX assets_search_trgm ON assets USING gin (search_text %I.gin_trgm_ops)',
            ext_schema
        );
    END IF;
END
$$;
