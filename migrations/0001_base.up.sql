-- Base schema: the creation-ordered key sequence, the tenant policy helper
-- and the function that creates the tables of one resource type.

CREATE SEQUENCE fhir_pk_seq AS bigint;

-- fhir_tenant returns the tenant of the current transaction, or NULL when
-- none is set, so that a forgotten tenant matches no row instead of every
-- row. After a transaction-local set_config the setting reads '' on the same
-- pooled connection, hence nullif.
CREATE FUNCTION fhir_tenant() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('fhir.tenant', true), '') $$;

-- fhir_protect turns on forced row-level security for table t with one
-- policy that both filters reads (USING) and checks writes (WITH CHECK).
CREATE FUNCTION fhir_protect(t text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format(
        'CREATE POLICY tenant_isolation ON %I USING (tenant_id = fhir_tenant()) WITH CHECK (tenant_id = fhir_tenant())',
        t);
END
$fn$;

-- fhir_create_resource_tables creates, for the resource type whose table
-- name is t, the table of current versions, the history table and the
-- search index tables, all keyed by tenant first.
CREATE FUNCTION fhir_create_resource_tables(t text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    -- Current version of each resource. pk is creation-ordered and stable
    -- across updates; the index tables refer to it.
    EXECUTE format($$CREATE TABLE %I (
        tenant_id    text COLLATE "C" NOT NULL,
        pk           bigint NOT NULL DEFAULT nextval('fhir_pk_seq'),
        id           text COLLATE "C" NOT NULL,
        version_id   bigint NOT NULL,
        last_updated timestamptz NOT NULL,
        deleted      boolean NOT NULL DEFAULT false,
        content      jsonb,
        PRIMARY KEY (tenant_id, pk),
        UNIQUE (tenant_id, id)
    )$$, t);
    EXECUTE format('CREATE INDEX %I ON %I (tenant_id, last_updated, pk)', t || '_last_updated', t);

    -- Every version, deletions included (content NULL).
    EXECUTE format($$CREATE TABLE %I (
        tenant_id    text COLLATE "C" NOT NULL,
        id           text COLLATE "C" NOT NULL,
        version_id   bigint NOT NULL,
        last_updated timestamptz NOT NULL,
        method       text COLLATE "C" NOT NULL,
        deleted      boolean NOT NULL DEFAULT false,
        content      jsonb,
        PRIMARY KEY (tenant_id, id, version_id)
    )$$, t || '_history');
    EXECUTE format('CREATE INDEX %I ON %I (tenant_id, last_updated, id, version_id)',
        t || '_history_last_updated', t || '_history');

    -- Tokens: one row per hashed search form (see fhir/index).
    EXECUTE format($$CREATE TABLE %I (
        tenant_id text COLLATE "C" NOT NULL,
        pk        bigint NOT NULL,
        h         bigint NOT NULL,
        PRIMARY KEY (tenant_id, pk, h)
    )$$, t || '_tok');
    EXECUTE format('CREATE INDEX %I ON %I (tenant_id, h, pk)', t || '_tok_h', t || '_tok');

    -- Strings and uris: normalized for the default and prefix search, exact
    -- for :exact.
    EXECUTE format($$CREATE TABLE %I (
        tenant_id text COLLATE "C" NOT NULL,
        pk        bigint NOT NULL,
        h         bigint NOT NULL,
        norm      text COLLATE "C" NOT NULL,
        exact     text COLLATE "C" NOT NULL,
        PRIMARY KEY (tenant_id, pk, h, exact)
    )$$, t || '_str');
    EXECUTE format('CREATE INDEX %I ON %I (tenant_id, h, norm, pk)', t || '_str_norm', t || '_str');

    -- References: chains, _has and _revinclude read the same rows.
    EXECUTE format($$CREATE TABLE %I (
        tenant_id   text COLLATE "C" NOT NULL,
        pk          bigint NOT NULL,
        h           bigint NOT NULL,
        target_type text COLLATE "C" NOT NULL,
        target_id   text COLLATE "C" NOT NULL,
        PRIMARY KEY (tenant_id, pk, h, target_type, target_id)
    )$$, t || '_ref');
    EXECUTE format('CREATE INDEX %I ON %I (tenant_id, h, target_id, target_type, pk)', t || '_ref_target', t || '_ref');

    -- Dates as closed [lo, hi] ranges.
    EXECUTE format($$CREATE TABLE %I (
        tenant_id text COLLATE "C" NOT NULL,
        pk        bigint NOT NULL,
        h         bigint NOT NULL,
        lo        timestamptz NOT NULL,
        hi        timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, pk, h, lo, hi)
    )$$, t || '_date');
    EXECUTE format('CREATE INDEX %I ON %I (tenant_id, h, lo, pk)', t || '_date_lo', t || '_date');
    EXECUTE format('CREATE INDEX %I ON %I (tenant_id, h, hi, pk)', t || '_date_hi', t || '_date');

    -- Numbers and quantities (the unit forms are in the hash).
    EXECUTE format($$CREATE TABLE %I (
        tenant_id text COLLATE "C" NOT NULL,
        pk        bigint NOT NULL,
        h         bigint NOT NULL,
        v         float8 NOT NULL,
        PRIMARY KEY (tenant_id, pk, h, v)
    )$$, t || '_num');
    EXECUTE format('CREATE INDEX %I ON %I (tenant_id, h, v, pk)', t || '_num_v', t || '_num');

    PERFORM fhir_protect(t);
    PERFORM fhir_protect(t || '_history');
    PERFORM fhir_protect(t || '_tok');
    PERFORM fhir_protect(t || '_str');
    PERFORM fhir_protect(t || '_ref');
    PERFORM fhir_protect(t || '_date');
    PERFORM fhir_protect(t || '_num');
END
$fn$;
