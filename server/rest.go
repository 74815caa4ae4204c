package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/validate"
	"github.com/fhirbase-go/fhird/search"
)

// validID is the R4 id datatype.
var validID = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)

// resourceType returns the registry entry of the :type path segment.
func (s *Server) resourceType(c *gin.Context) (*fhir.ResourceType, error) {
	name := c.Param("type")
	t, ok := fhir.LookupType(name)
	if !ok {
		return nil, fhir.Errorf(fhir.KindNotFound, fhir.IssueNotSupported, "resource type %q is not supported", name)
	}
	c.Set(ctxType, t.Name)
	return t, nil
}

// target returns the type and id named by the path.
func (s *Server) target(c *gin.Context) (*fhir.ResourceType, string, error) {
	t, err := s.resourceType(c)
	if err != nil {
		return nil, "", err
	}
	id := c.Param("id")
	if err := checkID(id); err != nil {
		return nil, "", err
	}
	return t, id, nil
}

// checkID accepts the ids this server can store: R4 ids that a URL can
// name. "." and ".." match the id type, but a URL path cannot hold them as
// a segment (RFC 3986 removes dot segments: [base]/Patient/../_history/1
// is [base]/_history/1), so a resource of such an id could not be read,
// nor its Location followed.
func checkID(id string) error {
	switch {
	case !validID.MatchString(id):
		return fhir.Errorf(fhir.KindInvalid, fhir.IssueValue, "%q is not a valid resource id", id)
	case id == "." || id == "..":
		return fhir.Errorf(fhir.KindInvalid, fhir.IssueValue,
			"the id %q is a dot segment, which URLs cannot hold as a path segment (RFC 3986, 5.2.4): a resource of that id could not be addressed; choose another id", id)
	}
	return nil
}

// parsed reads and validates the body as a resource of type t; for a
// create (POST) the body's id is ignored, an invalid one too.
func (s *Server) parsed(c *gin.Context, t *fhir.ResourceType, create bool) (map[string]any, error) {
	body, err := readBody(c, s.cfg.MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	res, err := validateBody(body, t.Name, create)
	if err != nil {
		return nil, err
	}
	return res, noConditionalRefs(res)
}

// validateBody validates a request's resource of type typ. The body of a
// create has an id "the server SHALL ignore" (http.html, create): when the
// id is all that is wrong, the body is validated again without it.
func validateBody(body []byte, typ string, create bool) (map[string]any, error) {
	res, err := validate.Resource(body, typ)
	fe, ok := fhir.AsError(err)
	if !create || !ok || len(fe.Issues) == 0 {
		return res, err
	}
	for _, is := range fe.Issues {
		if len(is.Expression) != 1 || is.Expression[0] != typ+".id" {
			return nil, err
		}
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var tree map[string]any
	if d.Decode(&tree) != nil {
		return nil, err
	}
	delete(tree, "id")
	stripped, merr := json.Marshal(tree)
	if merr != nil {
		return nil, err
	}
	return validate.Resource(stripped, typ)
}

func (s *Server) create(c *gin.Context) {
	c.Set(ctxInteraction, "create")
	t, err := s.resourceType(c)
	var res map[string]any
	if err == nil {
		res, err = s.parsed(c, t, true)
	}
	var out result
	if err == nil {
		if cond := c.GetHeader("If-None-Exist"); cond != "" {
			out, err = s.createIfNoneExist(c.Request.Context(), t, "", res, cond)
		} else {
			var r *fhir.Resource
			r, err = s.repo.Create(c.Request.Context(), t.Name, "", res)
			out = result{status: http.StatusCreated, res: r, info: createdInfo(r)}
		}
	}
	if err != nil {
		writeError(c, err)
		return
	}
	s.written(c, out)
}

func (s *Server) update(c *gin.Context) {
	c.Set(ctxInteraction, "update")
	if err := s.doUpdate(c); err != nil {
		writeError(c, err)
	}
}

func (s *Server) doUpdate(c *gin.Context) error {
	t, id, err := s.target(c)
	if err != nil {
		return err
	}
	ifMatch, err := versionHeader(c, "If-Match")
	if err != nil {
		return err
	}
	res, err := s.parsed(c, t, false)
	if err != nil {
		return err
	}
	if bodyID, _ := res["id"].(string); bodyID != id {
		return fhir.Errorf(fhir.KindInvalid, fhir.IssueInvalid,
			"the resource id %q must equal the id in the URL, %q", bodyID, id).At(t.Name + ".id")
	}
	out, err := s.updateByID(c.Request.Context(), t, id, res, ifMatch)
	if err != nil {
		return err
	}
	s.written(c, out)
	return nil
}

// conditionalUpdate answers PUT [type]?[query].
func (s *Server) conditionalUpdate(c *gin.Context) {
	c.Set(ctxInteraction, "update")
	t, err := s.resourceType(c)
	var ifMatch int64
	if err == nil {
		ifMatch, err = versionHeader(c, "If-Match")
	}
	var res map[string]any
	if err == nil {
		res, err = s.parsed(c, t, false)
	}
	var out result
	if err == nil {
		out, err = s.updateIf(c.Request.Context(), t, c.Request.URL.RawQuery, res, ifMatch)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	s.written(c, out)
}

// written answers a successful create or update as Prefer asks.
func (s *Server) written(c *gin.Context, out result) {
	r := out.res
	setVersionHeaders(c, r)
	c.Header("Location", s.cfg.BaseURL+"/"+r.Type+"/"+r.ID+"/_history/"+itoa(r.VersionID))
	switch preferReturn(c) {
	case "minimal":
		c.Status(out.status)
	case "OperationOutcome":
		writeJSON(c, out.status, information(out.info))
	default:
		writeJSON(c, out.status, r.JSON)
	}
}

func (s *Server) delete(c *gin.Context) {
	c.Set(ctxInteraction, "delete")
	t, id, err := s.target(c)
	var ifMatch int64
	if err == nil {
		ifMatch, err = versionHeader(c, "If-Match")
	}
	var r *fhir.Resource
	if err == nil {
		r, err = s.repo.Delete(c.Request.Context(), t.Name, id, ifMatch)
	}
	s.deleted(c, result{status: http.StatusNoContent, res: r, info: t.Name + "/" + id + " deleted"}, err)
}

// conditionalDelete answers DELETE [type]?[query].
func (s *Server) conditionalDelete(c *gin.Context) {
	c.Set(ctxInteraction, "delete")
	t, err := s.resourceType(c)
	var out result
	if err == nil {
		out, err = s.deleteIf(c.Request.Context(), t, c.Request.URL.RawQuery)
	}
	s.deleted(c, out, err)
}

// deleted answers a delete: 204, or 200 with an outcome when Prefer asks.
func (s *Server) deleted(c *gin.Context, out result, err error) {
	if err != nil {
		writeError(c, err)
		return
	}
	if out.res != nil {
		c.Header("ETag", out.res.ETag())
	}
	if preferReturn(c) == "OperationOutcome" {
		writeJSON(c, http.StatusOK, information(out.info))
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) read(c *gin.Context) {
	c.Set(ctxInteraction, "read")
	t, id, err := s.target(c)
	var r *fhir.Resource
	var q *search.Query
	if err == nil {
		q, err = readShape(c, t)
	}
	if err == nil {
		r, err = s.repo.Read(c.Request.Context(), t.Name, id)
	}
	s.served(c, r, q, err)
}

// readShape reads the _summary and _elements of a read or vread (nil
// without them: the resource is served as stored).
func readShape(c *gin.Context, t *fhir.ResourceType) (*search.Query, error) {
	params := url.Values{}
	for _, k := range []string{"_summary", "_elements"} {
		if vs, ok := c.GetQueryArray(k); ok {
			params[k] = vs
		}
	}
	if len(params) == 0 {
		return nil, nil
	}
	q, err := search.Parse(t, params, search.Options{Strict: true, DefaultCount: 1, MaxCount: 1})
	if err == nil && q.Summary == search.SummaryCount {
		err = fhir.Errorf(fhir.KindInvalid, fhir.IssueValue, "_summary=count applies to searches, not to a read").At("_summary")
	}
	return q, err
}

func (s *Server) vread(c *gin.Context) {
	c.Set(ctxInteraction, "vread")
	t, id, err := s.target(c)
	var r *fhir.Resource
	var q *search.Query
	if err == nil {
		q, err = readShape(c, t)
	}
	if err == nil {
		vid, ok := versionID(c.Param("vid"))
		if !ok {
			err = fhir.Errorf(fhir.KindNotFound, fhir.IssueNotFound, "%s/%s has no version %q", t.Name, id, c.Param("vid"))
		} else {
			r, err = s.repo.VRead(c.Request.Context(), t.Name, id, vid)
		}
	}
	s.served(c, r, q, err)
}

// served answers a read: the stored JSON as it is (shaped by q's _summary
// or _elements when q is not nil), or 304 when the client's copy is
// current.
func (s *Server) served(c *gin.Context, r *fhir.Resource, q *search.Query, err error) {
	if err != nil {
		if r != nil && r.Deleted {
			c.Header("ETag", r.ETag())
		}
		writeError(c, err)
		return
	}
	setVersionHeaders(c, r)
	if notModified(c, r) {
		c.Status(http.StatusNotModified)
		return
	}
	body := r.JSON
	if q != nil {
		if body, err = shape(q, r); err != nil {
			writeError(c, err)
			return
		}
	}
	writeJSON(c, http.StatusOK, body)
}

func setVersionHeaders(c *gin.Context, r *fhir.Resource) {
	c.Header("ETag", r.ETag())
	c.Header("Last-Modified", r.LastUpdated.UTC().Format(http.TimeFormat))
}

// notModified evaluates If-None-Match, then (only without it, as RFC 9110
// says) If-Modified-Since.
func notModified(c *gin.Context, r *fhir.Resource) bool {
	return unchanged(r, c.GetHeader("If-None-Match"), c.GetHeader("If-Modified-Since"))
}

// unchanged reports whether r matches an If-None-Match list, or, without
// one, is not newer than an If-Modified-Since date: the answer is then 304.
func unchanged(r *fhir.Resource, ifNoneMatch, ifModifiedSince string) bool {
	if ifNoneMatch != "" {
		for _, tag := range strings.Split(ifNoneMatch, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || strings.TrimPrefix(tag, "W/") == strings.TrimPrefix(r.ETag(), "W/") {
				return true
			}
		}
		return false
	}
	if ifModifiedSince != "" {
		t, err := time.Parse(time.RFC3339Nano, ifModifiedSince) // Bundle.request.ifModifiedSince is an instant
		if err != nil {
			t, err = http.ParseTime(ifModifiedSince)
		}
		return err == nil && !r.LastUpdated.Truncate(time.Second).After(t)
	}
	return false
}

// versionHeader parses an If-Match style header, W/"3" or "3", into a
// version number; an absent header is 0.
func versionHeader(c *gin.Context, name string) (int64, error) {
	h := strings.TrimSpace(c.GetHeader(name))
	if h == "" {
		return 0, nil
	}
	return parseVersionTag(name, h)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// preferReturn returns the return preference of the Prefer header:
// minimal, representation, OperationOutcome or "" when none is given.
func preferReturn(c *gin.Context) string { return preference(c, "return") }

// preference returns the value of one preference of the Prefer header.
func preference(c *gin.Context, name string) string {
	for _, h := range c.Request.Header.Values("Prefer") {
		for _, p := range strings.Split(h, ";") {
			for _, kv := range strings.Split(p, ",") {
				k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
				if ok && strings.TrimSpace(k) == name {
					return strings.Trim(strings.TrimSpace(v), `"`)
				}
			}
		}
	}
	return ""
}
