package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/search"
)

// Searcher is what the search handlers need of storage, beyond
// fhir.Repository: running one compiled page and counting.
type Searcher interface {
	Search(ctx context.Context, q *search.Query, after *search.After) (*search.Page, error)
	Count(ctx context.Context, q *search.Query) (int64, error)
	// SearchMulti and CountMulti run a search over several types: a
	// compartment search of every type, $everything.
	SearchMulti(ctx context.Context, m *search.Multi, after *search.After) (*search.Page, error)
	CountMulti(ctx context.Context, m *search.Multi) (int64, error)
}

func (s *Server) searchType(c *gin.Context) {
	c.Set(ctxInteraction, "search-type")
	t, err := s.resourceType(c)
	if err != nil {
		writeError(c, err)
		return
	}
	params, err := s.searchParams(c)
	if err != nil {
		writeError(c, err)
		return
	}
	s.runSearch(c, t, params, nil, t.Name)
}

// searchParams are the parameters of the query string, and of the form body
// of POST _search. A query string that does not parse is refused rather than
// read in part: a dropped pair would widen the search.
func (s *Server) searchParams(c *gin.Context) (url.Values, error) {
	params, err := url.ParseQuery(c.Request.URL.RawQuery)
	if err != nil {
		return nil, fhir.Errorf(fhir.KindInvalid, fhir.IssueStructure, "the query string is not valid: %v", err)
	}
	if c.Request.Method == http.MethodPost {
		return s.formParams(c, params)
	}
	return params, nil
}

// formParams merges an application/x-www-form-urlencoded body into the URL
// parameters (POST [type]/_search).
func (s *Server) formParams(c *gin.Context, params url.Values) (url.Values, error) {
	ct := c.GetHeader("Content-Type")
	if ct != "" && !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return nil, fhir.Errorf(fhir.KindUnsupportedMedia, fhir.IssueNotSupported,
			"POST _search takes an application/x-www-form-urlencoded body, not %q", ct)
	}
	body, err := readLimited(c, s.cfg.MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fhir.Errorf(fhir.KindInvalid, fhir.IssueStructure, "the form body is not valid: %v", err)
	}
	for k, vs := range form {
		params[k] = append(params[k], vs...)
	}
	return params, nil
}

// runSearch parses, runs and answers one search page. path is the
// search's path relative to the base, for links.
func (s *Server) runSearch(c *gin.Context, t *fhir.ResourceType, params url.Values, comp *search.Compartment, path string) {
	token := params.Get("_page_token")
	params.Del("_page_token")
	q, err := search.Parse(t, params, search.Options{
		Strict: preferHandling(c) == "strict", DefaultCount: s.cfg.DefaultCount, MaxCount: s.cfg.MaxCount,
		BaseURL: s.cfg.BaseURL, Now: time.Now().UTC(), Limits: s.cfg.SearchLimits,
	})
	if err != nil {
		writeError(c, err)
		return
	}
	q.Compartment = comp
	scope := s.pageScope(c, path, q.Applied)
	var after *search.After
	if token != "" {
		if after, err = openAfter(s.cfg.CursorKey, scope, token); err != nil {
			writeError(c, err)
			return
		}
	}
	b, err := s.searchBundle(c.Request.Context(), q, after, path, scope)
	if err != nil {
		writeError(c, err)
		return
	}
	body, err := marshalBundle(b, b.slots())
	if err != nil {
		writeError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, body)
}

// searchBundle runs the query and builds the searchset Bundle.
func (s *Server) searchBundle(ctx context.Context, q *search.Query, after *search.After, path, scope string) (*searchset, error) {
	base := s.cfg.BaseURL + "/" + path
	b := &searchset{ResourceType: "Bundle", Type: "searchset"}
	self := base
	if enc := q.Applied.Encode(); enc != "" {
		self += "?" + enc
	}
	if q.Summary == search.SummaryCount || q.Count == 0 {
		n, err := s.searcher.Count(ctx, q)
		b.Total = &n
		b.Link = []bundleLink{{"self", self}}
		return b, err
	}
	page, err := s.searcher.Search(ctx, q, after)
	if err != nil {
		return nil, err
	}
	return b, s.fillBundle(b, q, page, self, scope)
}

// fillBundle adds a page's total, links and entries to b; q shapes the
// entries (_summary, _elements).
func (s *Server) fillBundle(b *searchset, q *search.Query, page *search.Page, self, scope string) error {
	if page.Total >= 0 {
		b.Total = &page.Total
	}
	b.Link = s.searchLinks(self, scope, page)
	for _, r := range page.Matches {
		e, err := s.searchEntry(q, r, "match")
		if err != nil {
			return err
		}
		b.Entry = append(b.Entry, e)
	}
	for _, r := range page.Included {
		e, err := s.searchEntry(q, r, "include")
		if err != nil {
			return err
		}
		b.Entry = append(b.Entry, e)
	}
	return nil
}

func (s *Server) searchLinks(self, scope string, page *search.Page) []bundleLink {
	links := []bundleLink{{"self", self}}
	sep := "?"
	if strings.Contains(self, "?") {
		sep = "&"
	}
	if page.Next != nil {
		links = append(links, bundleLink{"next", self + sep + "_page_token=" + sealAfter(s.cfg.CursorKey, scope, page.Next)})
	}
	if page.Prev != nil {
		links = append(links, bundleLink{"previous", self + sep + "_page_token=" + sealAfter(s.cfg.CursorKey, scope, page.Prev)})
	}
	return links
}

// searchEntry makes one entry; the stored JSON is served as it is unless
// _summary or _elements ask for less.
func (s *Server) searchEntry(q *search.Query, r *fhir.Resource, mode string) (searchEntry, error) {
	raw, err := shape(q, r)
	return searchEntry{
		FullURL:  s.cfg.BaseURL + "/" + r.Type + "/" + r.ID,
		Resource: raw,
		Search:   &entrySearch{Mode: mode},
	}, err
}

type searchset struct {
	ResourceType string        `json:"resourceType"`
	Type         string        `json:"type"`
	Total        *int64        `json:"total,omitempty"`
	Link         []bundleLink  `json:"link,omitempty"`
	Entry        []searchEntry `json:"entry,omitempty"`
}

type searchEntry struct {
	FullURL  string          `json:"fullUrl"`
	Resource json.RawMessage `json:"resource"`
	Search   *entrySearch    `json:"search"`
}

type entrySearch struct {
	Mode string `json:"mode"`
}

// preferHandling returns the handling preference of Prefer: strict,
// lenient or "" (lenient).
func preferHandling(c *gin.Context) string { return preference(c, "handling") }
