// Package migrations embeds the numbered SQL migrations of the schema.
//
// Invariant: every table that holds tenant data leads its primary key and
// every index with tenant_id and has ENABLE and FORCE ROW LEVEL SECURITY with
// USING and WITH CHECK policies on the transaction-local fhir.tenant
// setting. Migrations run as the owner; the server's role owns nothing.
//
// Adding a resource type is one line in fhir/resourcetypes.txt (then make
// generate) plus one migration calling fhir_create_resource_tables.
package migrations

import "embed"

// FS holds the migration files, named NNNN_title.up.sql / .down.sql.
//
//go:embed *.sql
var FS embed.FS
