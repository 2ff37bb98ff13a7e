-- Census imports: the file as received (so that a preview can be run
-- again after a restart), where the import stands, and the report of its
-- rows in error. Committing flips status to 'validee' in the same
-- transaction as the places it writes: an import is applied once or not
-- at all.
CREATE TABLE imports (
    id           TEXT PRIMARY KEY,
    epci         TEXT NOT NULL DEFAULT '',
    user_id      TEXT NOT NULL DEFAULT '',
    file_name    TEXT NOT NULL,
    mode         TEXT NOT NULL,
    status       TEXT NOT NULL,
    mapping      TEXT NOT NULL DEFAULT '',
    summary      TEXT NOT NULL DEFAULT '',
    error_report BYTEA,
    content      BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    committed_at TIMESTAMPTZ
);
CREATE INDEX imports_epci ON imports (epci, created_at);

-- Column mappings a referent confirmed for a kind of file (its header's
-- signature), offered again next time.
CREATE TABLE import_mappings (
    epci       TEXT NOT NULL,
    signature  TEXT NOT NULL,
    mapping    TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (epci, signature)
);
