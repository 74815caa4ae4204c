// Package migrations embeds the numbered SQL migrations of the schema.
//
// Invariant: every table that holds tenant data leads its primary key and
// every index with tenant_id and has ENABLE and FORCE ROW LEVEL SECURITY with
// USING and WITH CHECK policies on the transaction-local fhir.tenant
// setting. Migrations run as the owner; the server's role owns nothing.
//
// The tables of the resource types come from fhir_create_resource_tables:
// the first eleven types by hand-written migrations, the others by
// 0013_resource_types, which make generate writes from
// fhir/resourcetypes.txt. A type added after that migration was released
// needs a migration of its own calling fhir_create_resource_tables.
package migrations

import "embed"

// FS holds the migration files, named NNNN_title.up.sql / .down.sql.
//
//go:embed *.sql
var FS embed.FS
