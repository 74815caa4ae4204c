package server

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/search"
)

// Transactor runs several interactions in one database transaction (see
// store.Store.Transact): every repository call made with the context fn is
// given joins it.
type Transactor interface {
	Transact(ctx context.Context, fn func(ctx context.Context) error) error
	// Lock serializes transactions on key within the tenant until the
	// calling transaction ends.
	Lock(ctx context.Context, key string) error
	// WriteAll stores creates and updates in one round trip; a failure is
	// an *fhir.ItemError naming the item.
	WriteAll(ctx context.Context, items []fhir.Write) ([]fhir.Written, error)
	// ReadForUpdate reads the current version and keeps other writers of
	// it waiting until the calling transaction ends, so a write of its
	// next version cannot fail on a version conflict.
	ReadForUpdate(ctx context.Context, typ, id string) (*fhir.Resource, error)
}

// result is what one write interaction did, for an HTTP answer or the
// response of a Bundle entry.
type result struct {
	status int
	res    *fhir.Resource // the version written or found; for a delete, its deletion version or nil
	info   string         // a sentence for Prefer: return=OperationOutcome
}

// match returns the current resources of type t that match cond (the query
// of If-None-Exist or a conditional URL), at most limit+1 of them. It first
// locks the canonical condition (search.Query.ConditionKey: result
// parameters dropped, values de-duplicated and ordered), so identical
// conditional interactions, however spelled, run one after the other and
// each sees what the one before it wrote; call it
// inside Transact. Unknown parameters in a condition are an error: ignoring
// one would widen the condition.
func (s *Server) match(ctx context.Context, t *fhir.ResourceType, cond string, limit int) ([]*fhir.Resource, error) {
	params, err := url.ParseQuery(strings.TrimPrefix(cond, "?"))
	if err != nil {
		return nil, fhir.Errorf(fhir.KindInvalid, fhir.IssueInvalid, "the condition %q is not a valid query: %v", cond, err)
	}
	if err := noEmptyValue(cond, params); err != nil {
		return nil, err
	}
	q, err := search.Parse(t, params, search.Options{Strict: true, DefaultCount: limit + 1, MaxCount: limit + 1,
		BaseURL: s.cfg.BaseURL, Now: time.Now().UTC(), Limits: s.cfg.SearchLimits})
	if err != nil {
		return nil, err
	}
	if len(q.Params) == 0 {
		return nil, fhir.Errorf(fhir.KindInvalid, fhir.IssueInvalid,
			"the condition %q has no search parameter; a condition must select resources", cond)
	}
	q.Count, q.Includes, q.Sort, q.Total, q.Summary, q.Elements = limit+1, nil, nil, search.TotalNone, search.SummaryFalse, nil
	if err := s.tx.Lock(ctx, t.Name+"?"+q.ConditionKey()); err != nil {
		return nil, err
	}
	page, err := s.searcher.Search(ctx, q, nil)
	if err != nil {
		return nil, err
	}
	return page.Matches, nil
}

// multipleMatches is the error of a condition that must select at most one
// resource and selects more.
func multipleMatches(t *fhir.ResourceType, cond string) error {
	return fhir.Errorf(fhir.KindPrecondition, fhir.IssueMultipleMatches,
		"the condition %s?%s matches more than one resource", t.Name, cond)
}

// createIfNoneExist is conditional create: with no match it creates res
// under id ("" for a new one), with one it returns that one (200), with
// more it fails.
func (s *Server) createIfNoneExist(ctx context.Context, t *fhir.ResourceType, id string, res map[string]any, cond string) (out result, err error) {
	err = s.tx.Transact(ctx, func(ctx context.Context) error {
		found, err := s.match(ctx, t, cond, 1)
		switch {
		case err != nil:
			return err
		case len(found) > 1:
			return multipleMatches(t, cond)
		case len(found) == 1:
			out = result{status: http.StatusOK, res: found[0], info: t.Name + "/" + found[0].ID + " matches If-None-Exist; nothing was created"}
			return nil
		}
		r, err := s.repo.Create(ctx, t.Name, id, res)
		out = result{status: http.StatusCreated, res: r, info: createdInfo(r)}
		return err
	})
	return out, err
}

// updateIf is conditional update (PUT [type]?[query]): no match creates
// (under the body's id, if it has one), one match updates it, more fail.
// ifMatch > 0 also requires the matched version.
func (s *Server) updateIf(ctx context.Context, t *fhir.ResourceType, cond string, res map[string]any, ifMatch int64) (out result, err error) {
	err = s.tx.Transact(ctx, func(ctx context.Context) error {
		found, err := s.match(ctx, t, cond, 1)
		if err != nil {
			return err
		}
		bodyID, _ := res["id"].(string)
		switch len(found) {
		case 0:
			if bodyID == "" {
				r, err := s.repo.Create(ctx, t.Name, "", res)
				out = result{status: http.StatusCreated, res: r, info: createdInfo(r)}
				return err
			}
			if err := checkID(bodyID); err != nil {
				return err
			}
			if err := s.unclaimed(ctx, t, bodyID, cond); err != nil {
				return err
			}
			out, err = s.updateByID(ctx, t, bodyID, res, ifMatch)
			return err
		case 1:
			cur, err := s.tx.ReadForUpdate(ctx, t.Name, found[0].ID)
			if err != nil {
				return err
			}
			if bodyID != "" && bodyID != cur.ID {
				return fhir.Errorf(fhir.KindInvalid, fhir.IssueInvalid,
					"the resource id %q is not the id of the resource the condition matches, %q", bodyID, cur.ID).At(t.Name + ".id")
			}
			if ifMatch > 0 && ifMatch != cur.VersionID {
				return staleVersion(t, cur.ID, ifMatch)
			}
			out, err = s.updateByID(ctx, t, cur.ID, res, cur.VersionID)
			return err
		}
		return multipleMatches(t, cond)
	})
	return out, err
}

// unclaimed checks the id in the body of a conditional update that matched
// nothing: the update creates the resource of that id, and must not
// replace a resource the condition did not select (409 when one exists; a
// deleted one may be created again).
func (s *Server) unclaimed(ctx context.Context, t *fhir.ResourceType, id, cond string) error {
	_, err := s.repo.Read(ctx, t.Name, id)
	if err == nil {
		return fhir.Errorf(fhir.KindConflict, fhir.IssueConflict,
			"%s?%s matches no resource, and %s/%s, which it does not match, exists: a conditional update that matches nothing creates a resource and does not replace another",
			t.Name, cond, t.Name, id).At(t.Name + ".id")
	}
	if k := fhir.KindOf(err); k == fhir.KindNotFound || k == fhir.KindGone {
		return nil
	}
	return err
}

// updateByID is update (PUT [type]/[id]); res's id must be id or absent.
func (s *Server) updateByID(ctx context.Context, t *fhir.ResourceType, id string, res map[string]any, ifMatch int64) (result, error) {
	res["id"] = id
	r, created, err := s.repo.Update(ctx, t.Name, id, res, ifMatch)
	if err != nil {
		return result{}, err
	}
	if created {
		return result{status: http.StatusCreated, res: r, info: createdInfo(r)}, nil
	}
	return result{status: http.StatusOK, res: r, info: r.Type + "/" + r.ID + " updated to version " + itoa(r.VersionID)}, nil
}

// deleteIf is conditional delete: every match is deleted, at most one
// unless the server allows multiple deletes (then at most MaxCount); no
// match is not an error.
func (s *Server) deleteIf(ctx context.Context, t *fhir.ResourceType, cond string) (out result, err error) {
	err = s.tx.Transact(ctx, func(ctx context.Context) error {
		ids, err := s.deleteMatches(ctx, t, cond)
		if err == nil {
			out, err = s.deleteEach(ctx, t, cond, ids)
		}
		return err
	})
	return out, err
}

// deleteMatches returns the ids of the resources a conditional delete
// deletes, within the limit deleteIf describes; call it inside Transact.
func (s *Server) deleteMatches(ctx context.Context, t *fhir.ResourceType, cond string) ([]string, error) {
	limit := 1
	if s.cfg.ConditionalDeleteMultiple {
		limit = s.cfg.MaxCount
	}
	found, err := s.match(ctx, t, cond, limit)
	if err != nil {
		return nil, err
	}
	if len(found) > limit {
		if limit == 1 {
			return nil, multipleMatches(t, cond)
		}
		return nil, fhir.Errorf(fhir.KindTooCostly, fhir.IssueTooCostly,
			"the condition %s?%s matches more than %d resources; delete them in parts", t.Name, cond, limit)
	}
	ids := make([]string, len(found))
	for i, f := range found {
		ids[i] = f.ID
	}
	return ids, nil
}

// deleteEach deletes the matches of a conditional delete.
func (s *Server) deleteEach(ctx context.Context, t *fhir.ResourceType, cond string, ids []string) (result, error) {
	out := result{status: http.StatusNoContent, info: "no " + t.Name + " matches " + cond + "; nothing was deleted"}
	for _, id := range ids {
		r, err := s.repo.Delete(ctx, t.Name, id, 0)
		if err != nil {
			return result{}, err
		}
		out = result{status: http.StatusNoContent, res: r, info: itoa(int64(len(ids))) + " " + t.Name + " deleted"}
	}
	return out, nil
}

// noEmptyValue refuses a condition with an empty value: a search ignores
// one (search.html), and so would widen the condition to resources the
// client did not mean.
func noEmptyValue(cond string, params url.Values) error {
	for k, vs := range params {
		if slices.Contains(vs, "") {
			return fhir.Errorf(fhir.KindInvalid, fhir.IssueInvalid,
				"the condition %q gives %s no value; a search would ignore it and widen the condition", cond, k).At(k)
		}
	}
	return nil
}

func staleVersion(t *fhir.ResourceType, id string, v int64) error {
	return fhir.StaleVersion(t.Name, id, v)
}

func createdInfo(r *fhir.Resource) string {
	if r == nil {
		return ""
	}
	return r.Type + "/" + r.ID + " created as version " + itoa(r.VersionID)
}
