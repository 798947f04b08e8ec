-- The hash-chained, append-only audit store (see audit-ingest/README.md).
CREATE TABLE audit_event (
    seq          BIGSERIAL   PRIMARY KEY,
    event_id     TEXT        NOT NULL UNIQUE,
    topic        TEXT        NOT NULL,
    kafka_partition INTEGER  NOT NULL,
    kafka_offset BIGINT      NOT NULL,
    occurred_at  TIMESTAMPTZ NOT NULL,
    stored_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    class_uid    INTEGER     NOT NULL,
    runner_id    TEXT,
    job_id       BIGINT,
    severity_id  INTEGER     NOT NULL,
    dead_lettered BOOLEAN    NOT NULL DEFAULT FALSE,
    ocsf         JSONB       NOT NULL,
    prev_hash    BYTEA       NOT NULL CHECK (octet_length(prev_hash) = 32),
    hash         BYTEA       NOT NULL CHECK (octet_length(hash) = 32)
);

CREATE INDEX audit_event_runner_idx ON audit_event (runner_id, occurred_at, seq) WHERE runner_id IS NOT NULL;
CREATE INDEX audit_event_job_idx ON audit_event (job_id, occurred_at, seq) WHERE job_id IS NOT NULL;
CREATE INDEX audit_event_findings_idx ON audit_event (class_uid, occurred_at, severity_id);

-- The end of the chain; the single writer locks this row (SELECT ... FOR UPDATE) while it appends.
CREATE TABLE chain_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT  NOT NULL,
    hash BYTEA   NOT NULL CHECK (octet_length(hash) = 32)
);
INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));

-- How far each SIEM sink has forwarded (last seq the sink acknowledged).
CREATE TABLE sink_position (
    sink       TEXT        PRIMARY KEY,
    last_seq   BIGINT      NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Append-only: UPDATE, DELETE and TRUNCATE of audit rows fail for every role, the application's too.
-- (Only a superuser can get around it, e.g. with session_replication_role = replica; verify catches that.)
CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only (% refused)', TG_OP USING ERRCODE = '42501';
END;
$$;

CREATE TRIGGER audit_event_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();

CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
