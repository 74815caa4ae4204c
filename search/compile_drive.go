package search

import (
	"slices"
	"strings"
)

// drivenMatches returns the CTEs that compute m, the matches of the page
// with their sort keys, when the first sort key walks its index rows
// (sortCol.drive). A lateral aggregate key (see sortCols) is computed for
// every match before the planner can sort them, so a page of a common
// match costs all its matches: Observation?value-quantity=gt43&_sort=date
// read the date of each of 21,706 Observations to return 51 (issue 11).
// Here the key's rows are in the FROM list, where the planner can walk
// the (tenant_id, h, <col>, pk) index in page order and stop at the
// limit, or, for a selective filter, start from the filter's index and
// sort what it finds:
//
//	mk AS (SELECT DISTINCT ON (k.col, <keys 2..n>, r.pk) r.pk, ..., k.col AS s1, <keys 2..n>
//	  FROM <t>_<tab> k JOIN <t> r ON r.tenant_id = $1 AND r.pk = k.pk <joins of keys 2..n>
//	  WHERE k.tenant_id = $1 AND k.h = $h AND NOT EXISTS (SELECT 1 FROM <t>_<tab> y
//	    WHERE y.tenant_id = $1 AND y.pk = k.pk AND y.h = $h AND y.col < k.col)
//	    AND <filter> AND <keyset> [AND k.col >= $cursor]
//	  ORDER BY k.col, <keys 2..n>, r.pk LIMIT $n),
//	mn AS (SELECT r.pk, ..., NULL AS s1, <keys 2..n> FROM <t> r <joins of keys 2..n>
//	  WHERE <filter> AND NOT EXISTS (SELECT 1 FROM <t>_<tab> y WHERE y.tenant_id = $1
//	    AND y.pk = r.pk AND y.h = $h) AND <keyset> AND (SELECT count(*) FROM mk) < $n
//	  ORDER BY <keys 2..n>, r.pk LIMIT $n),
//	m AS (SELECT * FROM (SELECT * FROM mk UNION ALL SELECT * FROM mn) u
//	  ORDER BY <keys>, pk LIMIT $n)
//
// mk holds the resources with a value, each once, on its row of the
// smallest value (> for a descending key: the largest), which is the
// aggregate's value: NOT EXISTS drops its other rows, DISTINCT ON the
// rows that tie with it (two dates with one lo). mn holds the resources
// without a value, which come after all others (NULLS LAST); it runs only
// when mk did not fill the page. A backward page walks the other way, the
// resources without a value first, so there mn runs first and mk only
// when mn did not fill the page. Under a keyset position, mk gets the
// first key's bound as a comparison of the walked column too, so the
// walk starts at the position instead of filtering its way there.
func (c *compiler) drivenMatches(filter string, keys []sortCol, after *After, count int) (string, error) {
	withKey, without, err := c.keysetBranches(keys, after)
	if err != nil {
		return "", err
	}
	limit := c.b.arg(int64(count) + 1)
	backward := after != nil && after.Backward
	first, second := "mk", "mn"
	if backward {
		first, second = second, first
	}
	gate := "(SELECT count(*) FROM " + first + ") < " + limit
	if backward {
		withKey = sqlAnd(withKey, gate)
	} else {
		without = sqlAnd(without, gate)
	}
	branches := map[string]string{
		"mk": c.withKeyBranch(filter, keys, backward, withKey, limit),
		"mn": c.withoutKeyBranch(filter, keys, backward, without, limit),
	}
	return "WITH " + branches[first] + ",\n" + branches[second] + ",\n" +
		"m AS (SELECT * FROM (SELECT * FROM " + first + " UNION ALL SELECT * FROM " + second + ") u\n  ORDER BY " +
		orderBy(keys, backward, func(i int) string { return "u." + sortAlias(i) }, "u.pk") + "\n  LIMIT " + limit + ")", nil
}

// withKeyBranch returns the CTE mk of drivenMatches: the rows that pass
// filter and cond and have a value of the first key, on the row of the
// key's value, in page order.
func (c *compiler) withKeyBranch(filter string, keys []sortCol, backward bool, cond, limit string) string {
	d := keys[0].drive
	walk := d.alias + "." + d.col
	y, smaller := c.b.alias("y"), "<"
	if keys[0].desc {
		smaller = ">"
	}
	keyRow := "NOT EXISTS (SELECT 1 FROM " + d.table + " " + y + " WHERE " + sqlAnd(y+".tenant_id = "+tenantArg,
		y+".pk = "+d.alias+".pk", y+".h = "+d.hash, y+"."+d.col+" "+smaller+" "+walk) + ")"
	distinct := make([]string, 0, len(keys)+1)
	for _, k := range keys {
		distinct = append(distinct, k.expr)
	}
	// The walked column is never NULL: ordered without NULLS FIRST or
	// LAST, it is the order of its index in either direction.
	walked := slices.Clone(keys)
	walked[0].nullable = false
	return "mk AS (SELECT DISTINCT ON (" + strings.Join(append(distinct, "r.pk"), ", ") + ") " + keyColumns(keys, walk) +
		"\n  FROM " + d.table + " " + d.alias + " JOIN " + tableName(c.q.Type, tabMain) + " r ON r.tenant_id = " + tenantArg +
		" AND r.pk = " + d.alias + ".pk" + keyJoins(keys) +
		"\n  WHERE " + sqlAnd(d.alias+".tenant_id = "+tenantArg, d.alias+".h = "+d.hash, keyRow, filter, cond) +
		"\n  ORDER BY " + orderBy(walked, backward, func(i int) string { return keys[i].expr }, "r.pk") +
		"\n  LIMIT " + limit + ")"
}

// withoutKeyBranch returns the CTE mn of drivenMatches: the rows that
// pass filter and cond and have no value of the first key, in page
// order.
func (c *compiler) withoutKeyBranch(filter string, keys []sortCol, backward bool, cond, limit string) string {
	d := keys[0].drive
	y := c.b.alias("y")
	noValue := "NOT EXISTS (SELECT 1 FROM " + d.table + " " + y + " WHERE " + sqlAnd(y+".tenant_id = "+tenantArg,
		y+".pk = r.pk", y+".h = "+d.hash) + ")"
	return "mn AS (SELECT " + keyColumns(keys, "NULL::"+keys[0].cast) +
		"\n  FROM " + tableName(c.q.Type, tabMain) + " r" + keyJoins(keys) +
		"\n  WHERE " + sqlAnd(filter, noValue, cond) +
		"\n  ORDER BY " + orderBy(keys, backward, func(i int) string {
		if i == 0 {
			return ""
		}
		return keys[i].expr
	}, "r.pk") +
		"\n  LIMIT " + limit + ")"
}

// keyColumns returns the select list of a branch of drivenMatches: the
// resource's columns, first as the first key and the other keys.
func keyColumns(keys []sortCol, first string) string {
	s := "r.pk, r.id, r.version_id, r.last_updated, r.content, " + first + " AS " + sortAlias(0)
	for i, k := range keys[1:] {
		s += ", " + k.expr + " AS " + sortAlias(i+1)
	}
	return s
}

// keyJoins returns the lateral joins of the keys after the first.
func keyJoins(keys []sortCol) string {
	s := ""
	for _, k := range keys[1:] {
		s += k.join
	}
	return s
}

// keysetBranches returns the keyset conditions of the two branches of
// drivenMatches: on the rows with a value of the first key (its walked
// column, never NULL) and on the rows without one; "" is no condition.
// With a value v at the position, the rows without a value all come after
// it; the rows with one are bounded by the walked column too (>= v going
// forward on an ascending key), which the index can start from. At a
// position without a value, every row with one comes before it.
func (c *compiler) keysetBranches(keys []sortCol, after *After) (withKey, without string, err error) {
	if after == nil {
		return "", "", nil
	}
	vals, rest, err := c.keysetFrom(keys, after, 1)
	if err != nil {
		return "", "", err
	}
	walk, v := keys[0].expr, vals[0]
	switch {
	case v == "" && after.Backward:
		return "", rest, nil
	case v == "":
		return "FALSE", rest, nil
	}
	op := beyond(keys[0].desc, after.Backward)
	withKey = walk + " " + op + "= " + v + " AND " + sqlOr(walk+" "+op+" "+v, walk+" = "+v+" AND "+rest)
	if after.Backward {
		return withKey, "FALSE", nil
	}
	return withKey, "", nil
}
