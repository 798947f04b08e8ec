-- Retention by age with the chain kept verifiable (see audit-ingest/README.md, "Retention").
--
-- A prune removes a prefix of the chain (seq <= through_seq) and, in the same transaction, appends a
-- checkpoint naming the last pruned row's seq and hash, signed by audit-ingest (HMAC-SHA256 with a key
-- PostgreSQL never sees). Verify starts from the newest checkpoint: it checks the signature, then that
-- the first remaining row's prev_hash is the checkpoint's hash.
CREATE TABLE audit_checkpoint (
    id           BIGSERIAL   PRIMARY KEY,
    through_seq  BIGINT      NOT NULL UNIQUE,
    last_hash    BYTEA       NOT NULL CHECK (octet_length(last_hash) = 32),
    pruned_rows  BIGINT      NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    algorithm    TEXT        NOT NULL,
    key_id       TEXT        NOT NULL,
    signature    BYTEA       NOT NULL
);

-- Checkpoints are append-only too.
CREATE FUNCTION audit_checkpoint_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_checkpoint is append-only (% refused)', TG_OP USING ERRCODE = '42501';
END;
$$;

CREATE TRIGGER audit_checkpoint_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_checkpoint
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_append_only();

CREATE TRIGGER audit_checkpoint_no_truncate
    BEFORE TRUNCATE ON audit_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoint_append_only();

-- The one controlled path for deleting audit rows. A DELETE passes the append-only trigger only
-- inside audit_prune(), which sets a transaction-local flag, and only for rows a checkpoint covers
-- whose hash is the hash of the row at its through_seq. UPDATE and TRUNCATE stay refused.
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('runnerguard.audit_prune', true) = 'on'
       AND OLD.seq <= (SELECT coalesce(max(through_seq), 0) FROM audit_checkpoint) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_event is append-only (% refused)', TG_OP USING ERRCODE = '42501';
END;
$$;

CREATE FUNCTION audit_prune(p_through_seq BIGINT) RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    cp_hash BYTEA;
    row_hash BYTEA;
    deleted BIGINT;
BEGIN
    SELECT last_hash INTO cp_hash FROM audit_checkpoint WHERE through_seq = p_through_seq;
    IF cp_hash IS NULL THEN
        RAISE EXCEPTION 'no checkpoint through seq %', p_through_seq USING ERRCODE = '42501';
    END IF;
    SELECT hash INTO row_hash FROM audit_event WHERE seq = p_through_seq;
    IF row_hash IS NULL OR row_hash <> cp_hash THEN
        RAISE EXCEPTION 'checkpoint through seq % does not match the row', p_through_seq
            USING ERRCODE = '42501';
    END IF;
    PERFORM set_config('runnerguard.audit_prune', 'on', true);
    DELETE FROM audit_event WHERE seq <= p_through_seq;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    PERFORM set_config('runnerguard.audit_prune', 'off', true);
    RETURN deleted;
END;
$$;

CREATE INDEX audit_event_stored_at_idx ON audit_event (stored_at);
