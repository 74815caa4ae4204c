package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/search"
)

// op is one entry of a batch or transaction: what it asks, and what came of
// it.
type op struct {
	index   int
	method  string
	fullURL string
	t       *fhir.ResourceType
	id      string     // the id of Type/id URLs, or the one a transaction assigns
	vid     int64      // Type/id/_history/vid
	cond    string     // the query of a conditional URL (PUT, PATCH, DELETE Type?query)
	query   url.Values // the query of a GET search
	res     map[string]any
	patch   patchDoc
	ifMatch int64
	// ifNoneExist is the condition of a conditional create.
	ifNoneExist string
	// ifNoneMatch and ifModifiedSince make a read answer 304 when the
	// resource has not changed.
	ifNoneMatch, ifModifiedSince string

	out    result
	budget *budget // the bytes the whole response may still carry
	body   []byte  // what a GET returned
	err    error   // a batch entry's failure
	skip   bool    // a conditional create that matched: nothing to write
	head   bool    // a HEAD entry: run as GET, answered without the resource
}

// parseEntry reads one entry's request and resource.
func (s *Server) parseEntry(i int, e *entryIn) (*op, error) {
	o := &op{index: i, fullURL: e.FullURL}
	if e.Request == nil || e.Request.Method == "" || e.Request.URL == "" {
		return o, entryError(i, "?", fhir.Errorf(fhir.KindInvalid, fhir.IssueRequired, "the entry has no request method and url"))
	}
	o.method = strings.ToUpper(e.Request.Method)
	err := s.parseRequest(o, e)
	if err != nil {
		return o, entryError(i, o.method, err)
	}
	return o, nil
}

func (s *Server) parseRequest(o *op, e *entryIn) error {
	r := e.Request
	if err := s.parseURL(o, r.URL); err != nil {
		return err
	}
	if r.IfMatch != "" {
		v, err := parseVersionTag("ifMatch", r.IfMatch)
		if err != nil {
			return err
		}
		o.ifMatch = v
	}
	o.ifNoneExist = strings.TrimPrefix(r.IfNoneExist, o.t.Name+"?")
	switch o.method {
	case http.MethodGet, http.MethodHead:
		o.head, o.method = o.method == http.MethodHead, http.MethodGet
		o.ifNoneMatch, o.ifModifiedSince = r.IfNoneMatch, r.IfModifiedSince
		return nil
	case http.MethodDelete:
		return nil
	case http.MethodPost, http.MethodPut:
		if o.method == http.MethodPost && (o.id != "" || o.cond != "") {
			return fhir.Errorf(fhir.KindInvalid, fhir.IssueInvalid, "POST takes a type as its url, not %q", r.URL)
		}
		if o.method == http.MethodPut && o.id == "" && o.cond == "" {
			return fhir.Errorf(fhir.KindInvalid, fhir.IssueInvalid, "PUT needs Type/id or Type?query as its url, not %q", r.URL)
		}
		return s.entryResource(o, e.Resource)
	case http.MethodPatch:
		return s.entryPatch(o, e.Resource)
	}
	return fhir.Errorf(fhir.KindInvalid, fhir.IssueValue, "the request method %q is not one of GET, HEAD, POST, PUT, PATCH, DELETE", o.method)
}

// parseURL reads Type, Type/id, Type/id/_history/vid or Type?query,
// relative to the base or absolute under it.
func (s *Server) parseURL(o *op, raw string) error {
	path, rawQuery, hasQuery := strings.Cut(s.trimBase(raw), "?")
	seg := strings.Split(strings.Trim(path, "/"), "/")
	t, ok := fhir.LookupType(seg[0])
	if !ok {
		return fhir.Errorf(fhir.KindNotFound, fhir.IssueNotSupported, "resource type %q in %q is not supported", seg[0], raw)
	}
	o.t = t
	switch {
	case len(seg) == 1:
		if hasQuery {
			if o.method == http.MethodGet || o.method == http.MethodHead {
				q, err := url.ParseQuery(rawQuery)
				if err != nil {
					return fhir.Errorf(fhir.KindInvalid, fhir.IssueInvalid, "the query of %q is not valid: %v", raw, err)
				}
				o.query = q
			} else {
				o.cond = rawQuery
			}
		} else if o.method == http.MethodGet || o.method == http.MethodHead {
			o.query = url.Values{}
		}
		return nil
	case len(seg) == 2 && validID.MatchString(seg[1]):
		o.id = seg[1]
		return checkID(o.id)
	case len(seg) == 4 && validID.MatchString(seg[1]) && seg[2] == "_history" && (o.method == http.MethodGet || o.method == http.MethodHead):
		if v, ok := versionID(seg[3]); ok {
			o.id, o.vid = seg[1], v
			return nil
		}
	}
	return fhir.Errorf(fhir.KindInvalid, fhir.IssueValue, "the request url %q is not one this server processes in a Bundle", raw)
}

// entryResource validates the resource of a POST or PUT entry.
func (s *Server) entryResource(o *op, raw json.RawMessage) error {
	if len(raw) == 0 {
		return fhir.Errorf(fhir.KindInvalid, fhir.IssueRequired, "a %s entry needs a resource", o.method)
	}
	res, err := validateBody(raw, o.t.Name, o.method == http.MethodPost)
	if err != nil {
		return err
	}
	if o.method == http.MethodPut && o.id != "" {
		if bodyID, _ := res["id"].(string); bodyID != o.id {
			return fhir.Errorf(fhir.KindInvalid, fhir.IssueInvalid,
				"the resource id %q must equal the id in the url, %q", bodyID, o.id).At(o.t.Name + ".id")
		}
	}
	if o.method == http.MethodPost {
		delete(res, "id") // the server assigns ids on create
	}
	o.res = res
	return nil
}

// entryPatch reads the patch of a PATCH entry: a Binary holding JSON Patch
// or a Parameters resource holding a FHIRPath Patch.
func (s *Server) entryPatch(o *op, raw json.RawMessage) error {
	if o.id == "" && o.cond == "" {
		return fhir.Errorf(fhir.KindInvalid, fhir.IssueInvalid, "PATCH needs Type/id or Type?query as its url")
	}
	var bin struct {
		ResourceType string `json:"resourceType"`
		ContentType  string `json:"contentType"`
		Data         string `json:"data"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &bin) != nil {
		return fhir.Errorf(fhir.KindInvalid, fhir.IssueRequired, "a PATCH entry needs a Binary (JSON Patch) or Parameters (FHIRPath Patch) resource")
	}
	if bin.ResourceType == "Binary" {
		doc, err := base64.StdEncoding.DecodeString(bin.Data)
		if err != nil || !strings.HasPrefix(bin.ContentType, mediaJSONPatch) {
			return fhir.Errorf(fhir.KindInvalid, fhir.IssueValue,
				"a PATCH Binary must hold base64 data of contentType %s", mediaJSONPatch).At("Binary.data")
		}
		o.patch = patchDoc{jsonPatch: doc}
		return nil
	}
	p, err := fhirPathPatch(raw)
	o.patch = p
	return err
}

// runEntry carries out one op on its own (a batch entry), or within the
// transaction of ctx.
func (s *Server) runEntry(ctx context.Context, o *op) (err error) {
	defer func() {
		if err != nil {
			err = entryError(o.index, o.method, err)
		}
	}()
	if err := noConditionalRefs(o.res); err != nil {
		return err // a batch entry: a transaction resolved them before
	}
	switch o.method {
	case http.MethodGet:
		return s.entryGet(ctx, o)
	case http.MethodDelete:
		if o.cond != "" {
			o.out, err = s.deleteIf(ctx, o.t, o.cond)
			return err
		}
		r, err := s.repo.Delete(ctx, o.t.Name, o.id, o.ifMatch)
		o.out = result{status: http.StatusNoContent, res: r, info: o.t.Name + "/" + o.id + " deleted"}
		return err
	case http.MethodPost:
		if o.skip {
			return nil
		}
		if o.ifNoneExist != "" {
			o.out, err = s.createIfNoneExist(ctx, o.t, o.id, o.res, o.ifNoneExist)
			return err
		}
		r, err := s.repo.Create(ctx, o.t.Name, o.id, o.res)
		o.out = result{status: http.StatusCreated, res: r, info: createdInfo(r)}
		return err
	case http.MethodPut:
		if o.cond != "" {
			o.out, err = s.updateIf(ctx, o.t, o.cond, o.res, o.ifMatch)
			return err
		}
		o.out, err = s.updateByID(ctx, o.t, o.id, o.res, o.ifMatch)
		return err
	case http.MethodPatch:
		if o.cond != "" {
			o.out, err = s.patchIf(ctx, o.t, o.cond, o.patch, o.ifMatch)
			return err
		}
		o.out, err = s.patchByID(ctx, o.t, o.id, o.patch, o.ifMatch)
		return err
	}
	return nil
}

// entryGet is a read, vread or search entry; its answer is the entry's
// resource, within the budget of the response.
func (s *Server) entryGet(ctx context.Context, o *op) error {
	if err := o.budget.check(); err != nil {
		return err
	}
	defer func() { o.budget.spend(len(o.body)) }()
	if o.query != nil {
		q, err := search.Parse(o.t, o.query, search.Options{DefaultCount: s.cfg.DefaultCount, MaxCount: s.cfg.MaxCount,
			BaseURL: s.cfg.BaseURL, Now: now(), Limits: s.cfg.SearchLimits})
		if err != nil {
			return err
		}
		q.Limits.MaxPageBytes = min(q.Limits.MaxPageBytes, o.budget.left())
		tenant, _ := fhir.TenantFrom(ctx)
		b, err := s.searchBundle(ctx, q, nil, o.t.Name, tenant+"\x00"+o.t.Name+"?"+q.Applied.Encode())
		if err != nil {
			return err
		}
		o.body, err = marshalBundle(b, b.slots())
		o.out = result{status: http.StatusOK}
		return err
	}
	var r *fhir.Resource
	var err error
	if o.vid > 0 {
		r, err = s.repo.VRead(ctx, o.t.Name, o.id, o.vid)
	} else {
		r, err = s.repo.Read(ctx, o.t.Name, o.id)
	}
	if err != nil {
		return err
	}
	if o.vid == 0 && unchanged(r, o.ifNoneMatch, o.ifModifiedSince) {
		o.out = result{status: http.StatusNotModified, res: r}
		return nil
	}
	o.out, o.body = result{status: http.StatusOK, res: r}, r.JSON
	return nil
}

// newID is the id a transaction assigns to a created resource before it
// writes it, so that references to it can be rewritten first.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// versionID reads a version id of this server: a positive integer in its
// canonical form (versionId is an id, so "01" is another one, which no
// version has).
func versionID(s string) (int64, bool) {
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil && v > 0 && strconv.FormatInt(v, 10) == s
}

// parseVersionTag parses the version tag W/"3" (or "3") of the header or
// element name. A well-formed tag that is not one of this server's version
// numbers (W/"abc", W/"0", W/"01") names no version, so it is NoVersion
// and its precondition fails with 412; only text that is no entity tag at
// all is invalid.
func parseVersionTag(name, h string) (int64, error) {
	v := strings.TrimPrefix(strings.TrimSpace(h), "W/")
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' && opaqueTag(v[1:len(v)-1]) {
		if n, ok := versionID(v[1 : len(v)-1]); ok {
			return n, nil
		}
		return fhir.NoVersion, nil
	}
	// A bare version number, without the quotes, is accepted as it always
	// was; anything else is not an entity tag.
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 && v == strings.TrimSpace(h) {
		return n, nil
	}
	return 0, fhir.Errorf(fhir.KindInvalid, fhir.IssueValue, "%s must be an entity tag such as W/\"1\", got %q", name, h)
}

// opaqueTag reports whether s holds only the characters RFC 9110 allows
// between the quotes of an entity tag (etagc: "!", "#" to "~", obs-text).
func opaqueTag(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != 0x21 && (c < 0x23 || c == 0x7f) {
			return false
		}
	}
	return true
}
