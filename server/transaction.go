package server

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/fhirbase-go/fhird/fhir"
)

// transaction carries out the ops of a transaction Bundle inside the
// transaction of ctx, in the order the specification gives (DELETE, POST,
// PUT and PATCH, then GET), after assigning the ids of created resources
// and rewriting every reference to an entry's fullUrl, and every
// conditional reference, to Type/id. The writes go to the database in one
// round trip. The first failure returns, which rolls the whole transaction
// back.
func (s *Server) transaction(ctx context.Context, ops []*op) error {
	deleted, err := s.deletePhase(ctx, ops)
	if err != nil {
		return err
	}
	targets, err := s.resolveTargets(ctx, ops, deleted)
	if err != nil {
		return err
	}
	for _, o := range ops {
		if o.res != nil {
			if err := s.rewriteRefs(ctx, o, o.res, targets); err != nil {
				return entryError(o.index, o.method, err)
			}
		}
	}
	if err := s.preparePatches(ctx, ops, targets); err != nil {
		return err
	}
	if err := s.writeAll(ctx, ops); err != nil {
		return err
	}
	return s.runPhase(ctx, ops, http.MethodGet)
}

// preparePatches reads and locks the resource of every PATCH entry and
// patches it, so that its write can join the others. No other entry
// writes it (resolveTargets checks), and the lock keeps other
// transactions from writing it before this one commits, so the read is
// what the write replaces.
func (s *Server) preparePatches(ctx context.Context, ops []*op, targets map[string]string) error {
	for _, o := range ops {
		if o.method != http.MethodPatch {
			continue
		}
		cur, err := s.tx.ReadForUpdate(ctx, o.t.Name, o.id)
		if err == nil {
			o.res, err = patched(o.t, cur, o.patch, o.ifMatch)
		}
		if err == nil {
			o.ifMatch = cur.VersionID
			err = s.rewriteRefs(ctx, o, o.res, targets)
		}
		if err != nil {
			return entryError(o.index, o.method, err)
		}
	}
	return nil
}

// writeAll stores every POST, PUT and PATCH entry, in that order, in one
// round trip.
func (s *Server) writeAll(ctx context.Context, ops []*op) error {
	var writes []fhir.Write
	var by []*op
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch} {
		for _, o := range ops {
			if o.method == m && !o.skip {
				writes = append(writes, fhir.Write{Method: m, Type: o.t.Name, ID: o.id, Res: o.res, IfMatch: o.ifMatch})
				by = append(by, o)
			}
		}
	}
	if len(writes) == 0 {
		return nil
	}
	ws, err := s.tx.WriteAll(ctx, writes)
	var ie *fhir.ItemError
	if errors.As(err, &ie) {
		return entryError(by[ie.Index].index, by[ie.Index].method, ie.Err)
	}
	if err != nil {
		return err
	}
	for i, w := range ws {
		by[i].out = writtenResult(by[i].method, w)
	}
	return nil
}

// writtenResult is the outcome of one stored write.
func writtenResult(method string, w fhir.Written) result {
	switch {
	case w.Created:
		return result{status: http.StatusCreated, res: w.Resource, info: createdInfo(w.Resource)}
	case method == http.MethodPatch:
		return result{status: http.StatusOK, res: w.Resource, info: w.Type + "/" + w.ID + " patched to version " + itoa(w.VersionID)}
	}
	return result{status: http.StatusOK, res: w.Resource, info: w.Type + "/" + w.ID + " updated to version " + itoa(w.VersionID)}
}

// unwrapItem returns the cause of a one-item bulk write's failure.
func unwrapItem(err error) error {
	var ie *fhir.ItemError
	if errors.As(err, &ie) {
		return ie.Err
	}
	return err
}

// runPhase runs the ops of one method in request order.
func (s *Server) runPhase(ctx context.Context, ops []*op, method string) error {
	for _, o := range ops {
		if o.method == method {
			if err := s.runEntry(ctx, o); err != nil {
				return err
			}
		}
	}
	return nil
}

// deletePhase carries out the DELETE entries and maps the resources they
// deleted to the entries. Every condition is matched before anything is
// deleted, so that two entries naming the same resource (by url or as a
// match) fail the transaction: resource identities must not overlap among
// the deletes, creates and updates of a transaction.
func (s *Server) deletePhase(ctx context.Context, ops []*op) (map[string]int, error) {
	by := map[string]int{}
	matches := map[*op][]string{}
	for _, o := range ops {
		if o.method != http.MethodDelete {
			continue
		}
		ids := []string{o.id}
		if o.cond != "" {
			var err error
			if ids, err = s.deleteMatches(ctx, o.t, o.cond); err != nil {
				return nil, entryError(o.index, o.method, err)
			}
			matches[o] = ids
		}
		for _, id := range ids {
			ref := o.t.Name + "/" + id
			if prev, dup := by[ref]; dup {
				return nil, entryError(o.index, o.method, overlap(ref, prev))
			}
			by[ref] = o.index
		}
	}
	for _, o := range ops {
		var err error
		switch {
		case o.method != http.MethodDelete:
			continue
		case o.cond != "":
			if o.out, err = s.deleteEach(ctx, o.t, o.cond, matches[o]); err != nil {
				return nil, entryError(o.index, o.method, err)
			}
		default:
			if err = s.runEntry(ctx, o); err != nil {
				return nil, err // runEntry names the entry
			}
		}
	}
	return by, nil
}

func overlap(ref string, prev int) error {
	return fhir.Errorf(fhir.KindInvalid, fhir.IssueDuplicate,
		"%s is deleted or written by entry %d already; a transaction may delete or write a resource once", ref, prev)
}

// resolveTargets decides the id every POST, PUT and PATCH entry will write
// (a new one, the one in its url, or the one its condition matches) and returns
// the map from the entries' fullUrls to Type/id. A conditional create that
// matches becomes a no-op answering 200 with the match. Two entries that
// would write the same resource, or write one a DELETE entry named
// (written holds those), fail the transaction.
func (s *Server) resolveTargets(ctx context.Context, ops []*op, written map[string]int) (map[string]string, error) {
	targets := map[string]string{}
	for _, o := range ops {
		if o.method != http.MethodPost && o.method != http.MethodPut && o.method != http.MethodPatch {
			continue
		}
		if err := s.resolveTarget(ctx, o); err != nil {
			return nil, entryError(o.index, o.method, err)
		}
		ref := o.t.Name + "/" + o.id
		if prev, dup := written[ref]; dup && !o.skip {
			return nil, entryError(o.index, o.method, overlap(ref, prev))
		}
		if !o.skip {
			written[ref] = o.index
		}
		if o.fullURL != "" {
			targets[o.fullURL] = ref
		}
	}
	return targets, nil
}

func (s *Server) resolveTarget(ctx context.Context, o *op) error {
	switch {
	case o.method == http.MethodPatch && o.cond != "":
		found, err := s.matchOne(ctx, o.t, o.cond)
		if err != nil {
			return err
		}
		o.id, o.cond = found.ID, ""
	case o.method == http.MethodPost && o.ifNoneExist != "":
		found, err := s.match(ctx, o.t, o.ifNoneExist, 1)
		if err != nil {
			return err
		}
		if len(found) > 1 {
			return multipleMatches(o.t, o.ifNoneExist)
		}
		if len(found) == 1 {
			o.id, o.skip = found[0].ID, true
			o.out = result{status: http.StatusOK, res: found[0], info: o.t.Name + "/" + found[0].ID + " matches ifNoneExist; nothing was created"}
			return nil
		}
		o.id, o.ifNoneExist = newID(), "" // the lock taken by match holds until commit
	case o.method == http.MethodPost:
		o.id = newID()
	case o.cond != "":
		found, err := s.match(ctx, o.t, o.cond, 1)
		if err != nil {
			return err
		}
		bodyID, _ := o.res["id"].(string)
		switch {
		case len(found) > 1:
			return multipleMatches(o.t, o.cond)
		case len(found) == 1:
			if bodyID != "" && bodyID != found[0].ID {
				return fhir.Errorf(fhir.KindInvalid, fhir.IssueInvalid,
					"the resource id %q is not the id of the resource the condition matches, %q", bodyID, found[0].ID)
			}
			cur, err := s.tx.ReadForUpdate(ctx, o.t.Name, found[0].ID)
			if err != nil {
				return err
			}
			if o.ifMatch > 0 && o.ifMatch != cur.VersionID {
				return staleVersion(o.t, cur.ID, o.ifMatch)
			}
			o.id, o.ifMatch = cur.ID, cur.VersionID
		case bodyID != "":
			if err := checkID(bodyID); err != nil {
				return err
			}
			if err := s.unclaimed(ctx, o.t, bodyID, o.cond); err != nil {
				return err
			}
			o.id = bodyID
		default:
			o.id = newID()
		}
		o.cond = ""
	}
	return nil
}

// rewriteRefs replaces, anywhere in the tree, a reference to an entry's
// fullUrl with that entry's Type/id (any string equal to a urn:uuid or
// urn:oid fullUrl, so uri elements too), and a conditional reference
// (Type?query) with the one resource it matches.
func (s *Server) rewriteRefs(ctx context.Context, o *op, v any, targets map[string]string) error {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			str, ok := c.(string)
			if !ok {
				if err := s.rewriteRefs(ctx, o, c, targets); err != nil {
					return err
				}
				continue
			}
			to, err := s.rewriteRef(ctx, k, str, targets)
			if err != nil {
				return err
			}
			x[k] = to
		}
	case []any:
		for i, c := range x {
			if str, ok := c.(string); ok {
				if to, ok := targets[str]; ok && isURN(str) {
					x[i] = to
				}
				continue
			}
			if err := s.rewriteRefs(ctx, o, c, targets); err != nil {
				return err
			}
		}
	}
	return nil
}

// rewriteRef returns what the string s under key k becomes.
func (s *Server) rewriteRef(ctx context.Context, k, str string, targets map[string]string) (string, error) {
	if to, ok := targets[str]; ok && (k == "reference" || isURN(str)) {
		return to, nil
	}
	if k == "div" && strings.Contains(str, "urn:") {
		return rewriteNarrative(str, targets), nil
	}
	if k != "reference" {
		return str, nil
	}
	typ, cond, ok := strings.Cut(s.trimBase(str), "?")
	if !ok {
		return str, nil
	}
	t, known := fhir.LookupType(typ)
	if !known {
		return "", fhir.Errorf(fhir.KindInvalid, fhir.IssueValue, "the conditional reference %q names an unknown type", str)
	}
	found, err := s.match(ctx, t, cond, 1)
	switch {
	case err != nil:
		return "", err
	case len(found) == 0:
		return "", fhir.Errorf(fhir.KindPrecondition, fhir.IssueNotFound, "the conditional reference %q matches no resource", str)
	case len(found) > 1:
		return "", fhir.Errorf(fhir.KindPrecondition, fhir.IssueMultipleMatches, "the conditional reference %q matches more than one resource", str)
	}
	return t.Name + "/" + found[0].ID, nil
}

// rewriteNarrative replaces the urn fullUrls that <a href> and <img src>
// of a narrative name: a transaction replaces every matching link in the
// Bundle, those of the narrative included (http.html, transaction).
func rewriteNarrative(div string, targets map[string]string) string {
	for from, to := range targets {
		if !isURN(from) || !strings.Contains(div, from) {
			continue
		}
		for _, attr := range []string{"href", "src"} {
			for _, q := range []string{`"`, `'`} {
				div = strings.ReplaceAll(div, attr+"="+q+from+q, attr+"="+q+to+q)
			}
		}
	}
	return div
}

func isURN(s string) bool {
	return strings.HasPrefix(s, "urn:uuid:") || strings.HasPrefix(s, "urn:oid:")
}

// conditionalRef returns the first conditional reference (Type?query) in
// the tree. Such references resolve only inside a transaction Bundle
// (R4 http.html, transaction processing); elsewhere they are not valid
// literal references.
func conditionalRef(v any) (string, bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if str, ok := c.(string); ok && k == "reference" && isConditional(str) {
				return str, true
			}
			if ref, ok := conditionalRef(c); ok {
				return ref, true
			}
		}
	case []any:
		for _, c := range x {
			if ref, ok := conditionalRef(c); ok {
				return ref, true
			}
		}
	}
	return "", false
}

// isConditional reports whether a reference is Type?query, relative or
// absolute: a query after a segment that names a type (capitalized, known
// to this server or not).
func isConditional(ref string) bool {
	path, _, ok := strings.Cut(ref, "?")
	seg := path[strings.LastIndexByte(path, '/')+1:]
	return ok && seg != "" && seg[0] >= 'A' && seg[0] <= 'Z'
}

// noConditionalRefs rejects a resource written outside a transaction that
// holds a conditional reference.
func noConditionalRefs(res map[string]any) error {
	if ref, ok := conditionalRef(res); ok {
		return fhir.Errorf(fhir.KindInvalid, fhir.IssueValue,
			"the conditional reference %q is resolved only in a transaction Bundle; send the write as one, or reference Type/id", ref)
	}
	return nil
}
