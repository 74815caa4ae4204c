package server

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/search"
)

// searchCompartment answers GET [base]/[Compartment]/[id]/[type] and POST
// [base]/[Compartment]/[id]/[type]/_search for the five R4 compartments;
// [type] * searches every type of the compartment. The focal resource need
// not exist: the compartment holds what refers to it (search.html,
// compartments).
func (s *Server) searchCompartment(c *gin.Context) {
	c.Set(ctxInteraction, "search-compartment")
	focal, id, err := s.target(c)
	if err != nil {
		writeError(c, err)
		return
	}
	comp, ok := fhir.LookupCompartment(focal.Name)
	if !ok {
		writeError(c, fhir.Errorf(fhir.KindNotFound, fhir.IssueNotSupported,
			"%s is not a compartment: the compartments are those of Patient, Encounter, RelatedPerson, Practitioner and Device", focal.Name))
		return
	}
	params, err := s.searchParams(c)
	if err != nil {
		writeError(c, err)
		return
	}
	name := c.Param("comptype")
	if name == "*" {
		s.searchAll(c, comp, id, params)
		return
	}
	t, ok := fhir.LookupType(name)
	if !ok {
		writeError(c, fhir.Errorf(fhir.KindNotFound, fhir.IssueNotSupported, "resource type %q is not supported", name))
		return
	}
	if !t.InCompartment(comp.Code) {
		writeError(c, fhir.Errorf(fhir.KindNotFound, fhir.IssueNotSupported,
			"%s is not in the %s compartment (%s)", t.Name, comp.Code, comp.URL))
		return
	}
	c.Set(ctxType, t.Name)
	s.runSearch(c, t, params, &search.Compartment{Type: comp.Code, ID: id}, comp.Code+"/"+id+"/"+t.Name)
}

// searchAll answers a compartment search of every type (*): the
// parameters are parsed against each type of the compartment (or of
// _type), and must mean the same for all of them, so only the parameters
// every resource has (_id, _lastUpdated, _tag, ...) apply; the page is
// ordered by creation, so _sort and includes are refused.
func (s *Server) searchAll(c *gin.Context, comp *fhir.CompartmentDef, id string, params url.Values) {
	token := params.Get("_page_token")
	params.Del("_page_token")
	types, typeParam, err := typesParam(params["_type"], comp.Types())
	if err != nil {
		writeError(c, err)
		return
	}
	params.Del("_type")
	m, first, err := s.parseAll(c, comp, id, types, params)
	if err != nil {
		writeError(c, err)
		return
	}
	path := comp.Code + "/" + id + "/*"
	applied := url.Values{}
	if first != nil {
		applied = cloneValues(first.Applied)
	}
	if typeParam != "" {
		applied.Set("_type", typeParam)
	}
	scope := s.pageScope(c, path, applied)
	var after *search.After
	if token != "" {
		if after, err = openAfter(s.cfg.CursorKey, scope, token); err != nil {
			writeError(c, err)
			return
		}
	}
	b, err := s.multiBundle(c, m, first, after, s.cfg.BaseURL+"/"+path, applied, scope)
	if err != nil {
		writeError(c, err)
		return
	}
	sendBundle(c, b)
}

// parseAll parses params against every type of types, checking that they
// apply the same parameters to all of them.
func (s *Server) parseAll(c *gin.Context, comp *fhir.CompartmentDef, id string, types []*fhir.ResourceType, params url.Values) (*search.Multi, *search.Query, error) {
	opts := search.Options{
		Strict: preferHandling(c) == "strict", DefaultCount: s.cfg.DefaultCount, MaxCount: s.cfg.MaxCount,
		BaseURL: s.cfg.BaseURL, Now: time.Now().UTC(), Limits: s.cfg.SearchLimits,
	}
	m := &search.Multi{Compartment: search.Compartment{Type: comp.Code, ID: id}}
	var first *search.Query
	for _, t := range types {
		q, err := search.Parse(t, cloneValues(params), opts)
		if err != nil {
			return nil, nil, err
		}
		if first == nil {
			first = q
		}
		if len(q.Sort) > 0 || len(q.Includes) > 0 {
			return nil, nil, fhir.Errorf(fhir.KindInvalid, fhir.IssueNotSupported,
				"_sort, _include and _revinclude are not supported in a search of every type of a compartment; search one type").At("_sort")
		}
		if q.Applied.Encode() != first.Applied.Encode() {
			return nil, nil, fhir.Errorf(fhir.KindInvalid, fhir.IssueNotSupported,
				"a search of every type of a compartment takes only the parameters all of its types have (%s and %s differ); search one type or narrow _type",
				types[0].Name, t.Name)
		}
		m.Members = append(m.Members, q)
	}
	if first != nil {
		m.Count, m.Limits = first.Count, first.Limits
	}
	return m, first, nil
}

// multiBundle runs one page of m and builds the searchset Bundle; first
// shapes the entries and says whether only a count is asked for.
func (s *Server) multiBundle(c *gin.Context, m *search.Multi, first *search.Query, after *search.After, base string, applied url.Values, scope string) (*searchset, error) {
	ctx := c.Request.Context()
	b := &searchset{ResourceType: "Bundle", Type: "searchset"}
	self := base
	if enc := applied.Encode(); enc != "" {
		self += "?" + enc
	}
	if len(m.Members) == 0 {
		// _type named no type of the compartment: nothing can match.
		var zero int64
		b.Total = &zero
		b.Link = []bundleLink{{"self", self}}
		return b, nil
	}
	if first != nil && (first.Summary == search.SummaryCount || m.Count == 0) {
		n, err := s.searcher.CountMulti(ctx, m)
		b.Total = &n
		b.Link = []bundleLink{{"self", self}}
		return b, err
	}
	page, err := s.searcher.SearchMulti(ctx, m, after)
	if err != nil {
		return nil, err
	}
	if first == nil {
		first = &search.Query{}
	}
	return b, s.fillBundle(b, first, page, self, scope)
}

// typesParam reads the _type values (comma lists) and returns the types of
// all that are listed, in the order of all, and the canonical value of the
// parameter; with no value it returns all. An unknown type is an error.
func typesParam(values []string, all []*fhir.ResourceType) ([]*fhir.ResourceType, string, error) {
	if len(values) == 0 {
		return all, "", nil
	}
	want := map[string]bool{}
	for _, v := range values {
		for _, name := range strings.Split(v, ",") {
			name = strings.TrimSpace(name)
			if _, ok := fhir.LookupType(name); !ok {
				return nil, "", fhir.Errorf(fhir.KindInvalid, fhir.IssueNotSupported, "resource type %q is not supported", name).At("_type")
			}
			want[name] = true
		}
	}
	var out []*fhir.ResourceType
	for _, t := range all {
		if want[t.Name] {
			out = append(out, t)
		}
	}
	canon := make([]string, 0, len(want))
	for _, t := range fhir.Types() {
		if want[t.Name] {
			canon = append(canon, t.Name)
		}
	}
	return out, strings.Join(canon, ","), nil
}

// cloneValues returns a deep copy of v.
func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// sendBundle writes a searchset Bundle with status 200.
func sendBundle(c *gin.Context, b *searchset) {
	body, err := marshalBundle(b, b.slots())
	if err != nil {
		writeError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, body)
}
