-- Checkpoints of `fhird reindex`: per tenant and resource type, the pk up
-- to which the index rows were brought to the server's extraction. The
-- reindex writes a checkpoint in the transaction that fixes its rows, so
-- a rerun after a crash continues where it stopped; a finished run
-- deletes its tenant's checkpoints.
CREATE TABLE fhir_reindex (
    tenant_id     text COLLATE "C" NOT NULL,
    resource_type text COLLATE "C" NOT NULL,
    after_pk      bigint NOT NULL,
    done          boolean NOT NULL DEFAULT false,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, resource_type)
);
SELECT fhir_protect('fhir_reindex');
