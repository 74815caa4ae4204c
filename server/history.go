package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fhirbase-go/fhird/fhir"
)

func (s *Server) historySystem(c *gin.Context) {
	c.Set(ctxInteraction, "history-system")
	s.history(c, fhir.HistoryQuery{}, "_history")
}

func (s *Server) historyType(c *gin.Context) {
	c.Set(ctxInteraction, "history-type")
	t, err := s.resourceType(c)
	if err != nil {
		writeError(c, err)
		return
	}
	s.history(c, fhir.HistoryQuery{Type: t.Name}, t.Name+"/_history")
}

func (s *Server) historyInstance(c *gin.Context) {
	c.Set(ctxInteraction, "history-instance")
	t, id, err := s.target(c)
	if err != nil {
		writeError(c, err)
		return
	}
	s.history(c, fhir.HistoryQuery{Type: t.Name, ID: id}, t.Name+"/"+id+"/_history")
}

// history answers one page of a history interaction at path (relative to
// the base).
func (s *Server) history(c *gin.Context, q fhir.HistoryQuery, path string) {
	params, err := s.historyParams(c, &q, path)
	if err == nil {
		var page *fhir.HistoryPage
		if page, err = s.repo.History(c.Request.Context(), q); err == nil && q.ID != "" && len(page.Entries) == 0 && q.After == nil {
			err = s.existed(c, q) // an instance without versions is unknown, not empty
		}
		if err == nil {
			b := s.historyBundle(c, page, path, params)
			body, merr := marshalBundle(&b, b.slots())
			if merr == nil {
				writeJSON(c, http.StatusOK, body)
				return
			}
			err = merr
		}
	}
	writeError(c, err)
}

// existed answers 404 for the history of a resource that never existed
// (a deleted one has its versions: its history is no error).
func (s *Server) existed(c *gin.Context, q fhir.HistoryQuery) error {
	_, err := s.repo.Read(c.Request.Context(), q.Type, q.ID)
	if fhir.KindOf(err) == fhir.KindGone {
		return nil
	}
	return err
}

// historyParams reads _count, _since and _page_token into q and returns the
// parameters to repeat in page links. Other parameters are not history
// parameters and are ignored, as the spec allows for unknown ones.
func (s *Server) historyParams(c *gin.Context, q *fhir.HistoryQuery, path string) (url.Values, error) {
	links := url.Values{}
	q.Count, q.MaxBytes = s.cfg.DefaultCount, s.cfg.MaxResponseBytes
	if v := c.Query("_count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fhir.Errorf(fhir.KindInvalid, fhir.IssueValue, "_count must be a positive integer, got %q", v).At("_count")
		}
		q.Count = min(n, s.cfg.MaxCount)
	}
	links.Set("_count", strconv.Itoa(q.Count))
	if v := c.Query("_since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return nil, fhir.Errorf(fhir.KindInvalid, fhir.IssueValue, "_since must be an instant such as 2024-01-02T03:04:05Z, got %q", v).At("_since")
		}
		q.Since = t
		links.Set("_since", v)
	}
	if _, ok := c.GetQuery("_at"); ok {
		return nil, fhir.Errorf(fhir.KindNotImplemented, fhir.IssueNotSupported, "_at is not supported").At("_at")
	}
	if tok := c.Query("_page_token"); tok != "" {
		var cur historyCursor
		if err := open(s.cfg.CursorKey, s.pageScope(c, path, links), tok, &cur); err != nil {
			return nil, err
		}
		q.After = cur.key()
	}
	return links, nil
}

// pageScope binds a cursor to the tenant and the request it pages.
func (s *Server) pageScope(c *gin.Context, path string, links url.Values) string {
	tenant, _ := fhir.TenantFrom(c.Request.Context())
	return tenant + "\x00" + path + "?" + links.Encode()
}

type bundle struct {
	ResourceType string        `json:"resourceType"`
	Type         string        `json:"type"`
	Link         []bundleLink  `json:"link,omitempty"`
	Entry        []bundleEntry `json:"entry,omitempty"`
}

type bundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

type bundleEntry struct {
	FullURL  string          `json:"fullUrl,omitempty"`
	Resource json.RawMessage `json:"resource,omitempty"`
	Request  *entryRequest   `json:"request,omitempty"`
	Response *entryResponse  `json:"response,omitempty"`
}

type entryRequest struct {
	Method string `json:"method"`
	URL    string `json:"url"`
}

type entryResponse struct {
	Status       string          `json:"status"`
	Location     string          `json:"location,omitempty"`
	ETag         string          `json:"etag,omitempty"`
	LastModified string          `json:"lastModified,omitempty"`
	Outcome      json.RawMessage `json:"outcome,omitempty"`
}

func (s *Server) historyBundle(c *gin.Context, page *fhir.HistoryPage, path string, params url.Values) bundle {
	b := bundle{ResourceType: "Bundle", Type: "history", Entry: make([]bundleEntry, 0, len(page.Entries))}
	self := s.cfg.BaseURL + "/" + path + "?" + params.Encode()
	if tok := c.Query("_page_token"); tok != "" {
		self += "&_page_token=" + url.QueryEscape(tok)
	}
	b.Link = append(b.Link, bundleLink{"self", self})
	if page.Next != nil {
		next := seal(s.cfg.CursorKey, s.pageScope(c, path, params), historyCursorOf(page.Next))
		b.Link = append(b.Link, bundleLink{"next", s.cfg.BaseURL + "/" + path + "?" + params.Encode() + "&_page_token=" + next})
	}
	for _, r := range page.Entries {
		b.Entry = append(b.Entry, s.historyEntry(r))
	}
	return b
}

func (s *Server) historyEntry(r *fhir.Resource) bundleEntry {
	e := bundleEntry{
		FullURL: s.cfg.BaseURL + "/" + r.Type + "/" + r.ID,
		Request: &entryRequest{Method: r.Method, URL: r.Type + "/" + r.ID},
		Response: &entryResponse{Status: "200 OK", ETag: r.ETag(),
			LastModified: fhir.Instant(r.LastUpdated)},
	}
	switch {
	case r.Deleted:
		e.Response.Status = "204 No Content"
	case r.Method == "POST":
		e.Request.URL = r.Type
		e.Response.Status = "201 Created"
	case r.VersionID == 1:
		e.Response.Status = "201 Created"
	}
	if !r.Deleted {
		e.Resource = r.JSON
	}
	return e
}
