package search

import (
	"time"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/index"
)

// sortCol is one compiled sort key.
type sortCol struct {
	// expr is the key's value for the row r: a column of r, or the
	// output of the key's lateral join.
	expr string
	// join is the lateral join that computes the key, or "".
	join string
	// cast is the SQL type of the key, which cursor values are cast to.
	cast string
	desc bool
	// nullable says that a row may have no value for the key.
	nullable bool
	// drive, set on a first key only, says that the page walks the key's
	// index rows (see drivenMatches); expr is then the value column of
	// those rows, and join is empty.
	drive *keyDrive
}

// keyDrive is the index table walk of a first sort key.
type keyDrive struct {
	alias string // of the walked index rows
	table string // quoted index table
	col   string // the compared column: lo, hi, v or norm
	hash  string // placeholder of the key's one hash
}

// sortCols compiles the query's sort keys. _id and _lastUpdated are the
// main table's columns (never NULL). Any other key is the smallest value
// of the parameter for an ascending sort and the largest for a descending
// one, as the specification asks of repeating values:
//
//	CROSS JOIN LATERAL (SELECT min(x.lo) AS v FROM <t>_date x
//	  WHERE x.tenant_id = $1 AND x.pk = r.pk AND x.h = $h) k
//
// The aggregate is a correlated subquery; it is written as a lateral join
// rather than a scalar subquery in the select list because the keyset
// condition and the ORDER BY refer to the key too, and PostgreSQL would
// evaluate a repeated scalar subquery once per occurrence. A lateral
// aggregate cannot be flattened, so it runs once per row. An aggregate
// without GROUP BY always returns one row (NULL when the resource has no
// value), so the join never drops a row.
//
// The values compared: dates by lo (ascending) or hi (descending), strings
// and uris by their norm, numbers by value, quantities by value under the
// any-unit form ("", ""), references by target id. A token has no
// orderable text of its own; it sorts by its display texts (the :text
// strings), and resources without one sort last.
//
// The first key, when it is not a reference and has one hash, is not a
// lateral aggregate but a walk of its index rows (keyDrive), which
// drivenMatches turns into the page, unless the query is pinned to one
// resource (identityDriven): then its matches are few, and the aggregate
// over each of them costs half of what the walk costs (the bench's
// obs-search, Observation?subject=..&code=..&date=..&_sort=-date:
// 223 against 588 buffers, 968 against 637 requests/s at one client).
func (c *compiler) sortCols() ([]sortCol, error) {
	cols := make([]sortCol, 0, len(c.q.Sort))
	for i, k := range c.q.Sort {
		col, err := c.sortCol(k, i == 0)
		if err != nil {
			return nil, err
		}
		cols = append(cols, col)
	}
	return cols, nil
}

func (c *compiler) sortCol(k SortKey, first bool) (sortCol, error) {
	if k.Def == nil {
		return sortCol{}, fhir.Errorf(fhir.KindInvalid, fhir.IssueValue, "sort key without a parameter").At("_sort")
	}
	switch k.Def.Code {
	case "_id":
		return sortCol{expr: "r.id", cast: "text", desc: k.Desc}, nil
	case "_lastUpdated":
		return sortCol{expr: "r.last_updated", cast: "timestamptz", desc: k.Desc}, nil
	}
	code, tab, col, cast := k.Def.Code, "", "", ""
	hash := index.ParamHash
	switch k.Def.Type {
	case fhir.ParamDate:
		tab, col, cast = tabDate, "lo", "timestamptz"
		if k.Desc {
			col = "hi"
		}
	case fhir.ParamString, fhir.ParamURI:
		tab, col, cast = tabStr, "norm", "text"
	case fhir.ParamNumber:
		tab, col, cast = tabNum, "v", "float8"
	case fhir.ParamQuantity:
		tab, col, cast = tabNum, "v", "float8"
		hash = func(code string) int64 { return index.QuantityHash(code, "", "") }
	case fhir.ParamReference:
		tab, col, cast = tabRef, "target_id", "text"
	case fhir.ParamToken:
		tab, col, cast = tabStr, "norm", "text"
		hash = func(code string) int64 { return index.ParamHash(code + ":text") }
	default:
		return sortCol{}, fhir.Errorf(fhir.KindInvalid, fhir.IssueNotSupported,
			"cannot sort by %s, a %s parameter", code, k.Def.Type).At("_sort")
	}
	hashes := hashesOf(c.q.Type, k.Def, hash)
	if first && len(hashes) == 1 && tab != tabRef && !c.identityDriven() {
		kn := c.b.alias("k")
		d := &keyDrive{alias: kn, table: tableName(c.q.Type, tab), col: col, hash: c.b.arg(hashes[0])}
		return sortCol{expr: kn + "." + col, cast: cast, desc: k.Desc, nullable: true, drive: d}, nil
	}
	agg := "min"
	if k.Desc {
		agg = "max"
	}
	kn, x := c.b.alias("k"), c.b.alias("x")
	join := "\n  CROSS JOIN LATERAL (SELECT " + agg + "(" + x + "." + col + ") AS v FROM " + tableName(c.q.Type, tab) + " " + x +
		" WHERE " + sqlAnd(x+".tenant_id = "+tenantArg, x+".pk = r.pk", eqAny(c.b, x+".h", hashes)) + ") " + kn
	return sortCol{expr: kn + ".v", join: join, cast: cast, desc: k.Desc, nullable: true}, nil
}

// orderBy returns the ORDER BY list of the page: each key in its
// direction with NULLS LAST (rows without a value come last whatever the
// direction), then pk in the direction of the last key (ascending without
// keys: creation order, answered by the primary key). Backward inverts
// every direction, NULLS placement included. col names the i-th key; a
// key it names "" is left out (a key that is NULL on every row) but still
// sets the direction of pk.
func orderBy(keys []sortCol, backward bool, col func(int) string, pk string) string {
	s := ""
	pkDesc := false
	for i, k := range keys {
		if col(i) == "" {
			pkDesc = k.desc
			continue
		}
		s += col(i) + direction(k.desc != backward)
		if k.nullable {
			if backward {
				s += " NULLS FIRST"
			} else {
				s += " NULLS LAST"
			}
		}
		s += ", "
		pkDesc = k.desc
	}
	return s + pk + direction(pkDesc != backward)
}

func direction(desc bool) string {
	if desc {
		return " DESC"
	}
	return " ASC"
}

// keyset returns the condition that a row comes strictly after (or, when
// after.Backward, strictly before) the position after in the page order:
// lexicographic over (key1, ..., keyn, pk), each key in its direction,
// with NULL after every value. Built from the last key inwards:
//
//	forward, value k:  key > k OR key IS NULL OR (key = k AND rest)   (< for desc)
//	forward, NULL:     key IS NULL AND rest
//	backward, value k: key < k OR (key = k AND rest)                  (> for desc)
//	backward, NULL:    key IS NOT NULL OR (key IS NULL AND rest)
//
// where rest is the condition on the following keys and pk. "key IS NULL"
// is left out for keys that cannot be NULL.
func (c *compiler) keyset(keys []sortCol, after *After) (string, error) {
	_, cond, err := c.keysetFrom(keys, after, 0)
	return cond, err
}

// keysetFrom binds the cursor's values, one per key in key order and then
// its pk, and returns their placeholders (each with its cast; "" for
// NULL) and the keyset condition on keys[from:] and pk alone.
func (c *compiler) keysetFrom(keys []sortCol, after *After, from int) (vals []string, cond string, err error) {
	if len(after.Keys) != len(keys) {
		return nil, "", fhir.Errorf(fhir.KindInvalid, fhir.IssueValue, "the page cursor does not fit the sort order")
	}
	vals = make([]string, len(keys)) // bound in key order, "" for NULL
	for i, k := range keys {
		v := after.Keys[i]
		if err := checkCursorValue(k, v); err != nil {
			return nil, "", err
		}
		if v != nil {
			vals[i] = c.b.arg(v) + "::" + k.cast
		}
	}
	pkDesc := len(keys) > 0 && keys[len(keys)-1].desc
	rest := "r.pk " + beyond(pkDesc, after.Backward) + " " + c.b.arg(after.PK)
	for i := len(keys) - 1; i >= from; i-- {
		rest = keysetStep(keys[i], vals[i], after.Backward, rest)
	}
	return vals, rest, nil
}

// keysetStep wraps rest, the condition on the keys after k, into the
// condition on k and them; val is the bound cursor value, "" for NULL.
func keysetStep(k sortCol, val string, backward bool, rest string) string {
	op := beyond(k.desc, backward)
	switch {
	case val == "" && backward:
		return sqlOr(k.expr+" IS NOT NULL", k.expr+" IS NULL AND "+rest)
	case val == "":
		return "(" + k.expr + " IS NULL AND " + rest + ")"
	}
	isNull := ""
	if k.nullable && !backward {
		isNull = k.expr + " IS NULL"
	}
	return sqlOr(k.expr+" "+op+" "+val, isNull, k.expr+" = "+val+" AND "+rest)
}

// beyond is the comparison that moves away from the cursor.
func beyond(desc, backward bool) string {
	if desc != backward {
		return "<"
	}
	return ">"
}

// checkCursorValue checks that a cursor value has the Go type of its key.
func checkCursorValue(k sortCol, v any) error {
	ok := false
	switch v.(type) {
	case nil:
		ok = k.nullable
	case time.Time:
		ok = k.cast == "timestamptz"
	case string:
		ok = k.cast == "text"
	case float64:
		ok = k.cast == "float8"
	}
	if !ok {
		return fhir.Errorf(fhir.KindInvalid, fhir.IssueValue, "the page cursor does not fit the sort order")
	}
	return nil
}
