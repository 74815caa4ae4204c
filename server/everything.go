package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/search"
)

// everything answers GET and POST [base]/[type]/[id]/$everything
// (patient-operation-everything.html, encounter-operation-everything.html):
// one searchset page of the focal resource and every member of its
// compartment in creation order, then the resources they refer to that are
// not of a type of the compartment (practitioners, organizations,
// locations, medications, ...; the other patients a Group or a link names
// are of a compartment type, so they never come), each once, with signed
// keyset next links. The parameters are those of the type's
// OperationDefinition: start and end (care dates: the type's date search
// parameter, where it has one), _since (meta.lastUpdated), _type and
// _count; POST takes them in a Parameters body.
func (s *Server) everything(c *gin.Context) {
	c.Set(ctxInteraction, "operation")
	focal, id, err := s.target(c)
	if err != nil {
		writeError(c, err)
		return
	}
	op, ok := fhir.LookupOperation(focal.Name, "everything")
	comp, isComp := fhir.LookupCompartment(focal.Name)
	if !ok || !isComp {
		writeError(c, fhir.Errorf(fhir.KindNotFound, fhir.IssueNotSupported, "$everything is not supported on %s", focal.Name))
		return
	}
	params, err := s.operationParams(c, op)
	if err != nil {
		writeError(c, err)
		return
	}
	token := params.Get("_page_token")
	params.Del("_page_token")
	if _, err := s.repo.Read(c.Request.Context(), focal.Name, id); err != nil {
		writeError(c, err)
		return
	}
	m, applied, err := s.everythingQuery(c, comp, id, params)
	if err != nil {
		writeError(c, err)
		return
	}
	path := focal.Name + "/" + id + "/$everything"
	scope := s.pageScope(c, path, applied)
	var after *search.After
	if token != "" {
		if after, err = openAfter(s.cfg.CursorKey, scope, token); err != nil {
			writeError(c, err)
			return
		}
	}
	b, err := s.multiBundle(c, m, nil, after, s.cfg.BaseURL+"/"+path, applied, scope)
	if err != nil {
		writeError(c, err)
		return
	}
	sendBundle(c, b)
}

// operationParams are the parameters of an operation call: the query
// string, and for POST the parameters of a Parameters body. Parameters the
// operation does not define are ignored, or refused under
// Prefer: handling=strict.
func (s *Server) operationParams(c *gin.Context, op *fhir.OperationDef) (url.Values, error) {
	params, err := url.ParseQuery(c.Request.URL.RawQuery)
	if err != nil {
		return nil, fhir.Errorf(fhir.KindInvalid, fhir.IssueStructure, "the query string is not valid: %v", err)
	}
	if c.Request.Method == http.MethodPost && c.Request.ContentLength != 0 {
		if err := s.parametersBody(c, params); err != nil {
			return nil, err
		}
	}
	for name := range params {
		if _, ok := op.Param(name); ok || name == "_page_token" {
			continue
		}
		if preferHandling(c) == "strict" {
			return nil, fhir.Errorf(fhir.KindInvalid, fhir.IssueNotSupported, "$%s has no parameter %q (%s)", op.Code, name, op.URL).At(name)
		}
		params.Del(name)
	}
	return params, nil
}

// parametersBody adds the parameters of a Parameters body to params, each
// value in its string form.
func (s *Server) parametersBody(c *gin.Context, params url.Values) error {
	body, err := readBody(c, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	var in struct {
		ResourceType string `json:"resourceType"`
		Parameter    []map[string]json.RawMessage
	}
	if err := json.Unmarshal(body, &in); err != nil || in.ResourceType != "Parameters" {
		return fhir.Errorf(fhir.KindInvalid, fhir.IssueStructure, "the body of an operation must be a Parameters resource")
	}
	for i, p := range in.Parameter {
		name, value, err := parameterValue(p)
		if err != nil {
			return fhir.Errorf(fhir.KindInvalid, fhir.IssueStructure, "%v", err).At("Parameters.parameter[" + strconv.Itoa(i) + "]")
		}
		params.Add(name, value)
	}
	return nil
}

// parameterValue returns the name of one Parameters.parameter and its
// value[x] as text: a string-like primitive as it is, a number as written.
func parameterValue(p map[string]json.RawMessage) (name, value string, err error) {
	if json.Unmarshal(p["name"], &name) != nil || name == "" {
		return "", "", errString("a parameter has no name")
	}
	for _, key := range []string{"valueDate", "valueDateTime", "valueInstant", "valueCode", "valueString", "valueUri"} {
		if raw, ok := p[key]; ok {
			if json.Unmarshal(raw, &value) != nil {
				return "", "", errString(key + " of " + name + " is not a string")
			}
			return name, value, nil
		}
	}
	for _, key := range []string{"valueInteger", "valuePositiveInt", "valueUnsignedInt"} {
		if raw, ok := p[key]; ok {
			var n json.Number
			if json.Unmarshal(raw, &n) != nil {
				return "", "", errString(key + " of " + name + " is not a number")
			}
			return name, n.String(), nil
		}
	}
	return "", "", errString("parameter " + name + " has no value of a supported type")
}

// errString is an error of a fixed message.
type errString string

func (e errString) Error() string { return string(e) }

// dateParam matches an R4 date: a year, a month or a day.
var dateParam = regexp.MustCompile(`^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$`)

// everythingQuery checks the operation's parameters and builds the search
// over the compartment's types (and the referenced types), with the
// canonical parameters the page links carry.
func (s *Server) everythingQuery(c *gin.Context, comp *fhir.CompartmentDef, id string, params url.Values) (*search.Multi, url.Values, error) {
	applied := url.Values{}
	filter := url.Values{}
	for _, name := range []string{"start", "end"} {
		v := params.Get(name)
		if v == "" {
			continue
		}
		if !dateParam.MatchString(v) {
			return nil, nil, fhir.Errorf(fhir.KindInvalid, fhir.IssueValue, "%s %q is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", name, v).At(name)
		}
		applied.Set(name, v)
		prefix := map[string]string{"start": "ge", "end": "le"}[name]
		filter.Add("date", prefix+v)
	}
	since := url.Values{}
	if v := params.Get("_since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return nil, nil, fhir.Errorf(fhir.KindInvalid, fhir.IssueValue, "_since %q is not an instant", v).At("_since")
		}
		applied.Set("_since", v)
		since.Set("_lastUpdated", "ge"+t.UTC().Format(time.RFC3339Nano))
	}
	count, err := s.countParam(params.Get("_count"))
	if err != nil {
		return nil, nil, err
	}
	if params.Has("_count") {
		applied.Set("_count", strconv.Itoa(count))
	}
	var referable []*fhir.ResourceType
	for _, t := range fhir.Types() {
		if !t.InCompartment(comp.Code) {
			referable = append(referable, t)
		}
	}
	members, typeParam, err := typesParam(params["_type"], comp.Types())
	if err != nil {
		return nil, nil, err
	}
	referenced, _, _ := typesParam(params["_type"], referable)
	if typeParam != "" {
		applied.Set("_type", typeParam)
	}
	m := &search.Multi{Compartment: search.Compartment{Type: comp.Code, ID: id}, Count: count, Limits: s.cfg.SearchLimits}
	if m.Limits == (search.Limits{}) {
		m.Limits = search.DefaultLimits
	}
	parse := func(ts []*fhir.ResourceType, dated bool) ([]*search.Query, error) {
		return s.everythingQueries(ts, since, filter, dated)
	}
	if m.Members, err = parse(members, true); err != nil {
		return nil, nil, err
	}
	if m.Referenced, err = parse(referenced, false); err != nil {
		return nil, nil, err
	}
	if typeParam != "" {
		if m.Followed, err = parse(comp.Types(), true); err != nil {
			return nil, nil, err
		}
	}
	return m, applied, nil
}

// everythingQueries parses, for each type, the _since condition and, when
// dated and the type has a date search parameter, the care date range.
func (s *Server) everythingQueries(ts []*fhir.ResourceType, since, dates url.Values, dated bool) ([]*search.Query, error) {
	opts := search.Options{Strict: true, DefaultCount: s.cfg.DefaultCount, MaxCount: s.cfg.MaxCount,
		BaseURL: s.cfg.BaseURL, Now: time.Now().UTC(), Limits: s.cfg.SearchLimits}
	var out []*search.Query
	for _, t := range ts {
		params := cloneValues(since)
		if p, ok := t.Param("date"); ok && dated && p.Type == fhir.ParamDate && len(dates) > 0 {
			params["date"] = dates["date"]
		}
		q, err := search.Parse(t, params, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

// countParam reads _count: the default when empty, at most MaxCount.
func (s *Server) countParam(v string) (int, error) {
	if v == "" {
		return s.cfg.DefaultCount, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fhir.Errorf(fhir.KindInvalid, fhir.IssueValue, "_count %q is not a whole number", v).At("_count")
	}
	return min(n, s.cfg.MaxCount), nil
}
