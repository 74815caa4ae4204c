package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fhirbase-go/fhird/fhir"
)

// bundleIn is a batch or transaction Bundle as the client sent it.
type bundleIn struct {
	ResourceType string    `json:"resourceType"`
	Type         string    `json:"type"`
	Entry        []entryIn `json:"entry"`
}

type entryIn struct {
	FullURL  string          `json:"fullUrl"`
	Resource json.RawMessage `json:"resource"`
	Request  *struct {
		Method      string `json:"method"`
		URL         string `json:"url"`
		IfMatch     string `json:"ifMatch"`
		IfNoneExist string `json:"ifNoneExist"`
		IfNoneMatch string `json:"ifNoneMatch"`
		// IfModifiedSince is an instant.
		IfModifiedSince string `json:"ifModifiedSince"`
	} `json:"request"`
}

// bundle answers POST [base] with a batch or transaction Bundle.
func (s *Server) bundle(c *gin.Context) {
	c.Set(ctxInteraction, "transaction")
	in, err := s.readBundle(c)
	if err != nil {
		writeError(c, err)
		return
	}
	ops := make([]*op, len(in.Entry))
	budget := newBudget(s.cfg.MaxResponseBytes)
	for i := range in.Entry {
		o, perr := s.parseEntry(i, &in.Entry[i])
		switch {
		case perr != nil && in.Type == "transaction":
			writeError(c, perr)
			return
		case perr != nil:
			o = &op{index: i, err: perr} // a batch answers it in its entry
		}
		o.budget = budget
		ops[i] = o
	}
	ctx := c.Request.Context()
	respType := "batch-response"
	if in.Type == "transaction" {
		c.Set(ctxInteraction, "transaction")
		respType = "transaction-response"
		// Each attempt works on fresh copies: a retried transaction must not
		// see the ids and rewritten references of the attempt before.
		parsed := ops
		err = s.tx.Transact(ctx, func(ctx context.Context) error {
			ops = cloneOps(parsed, newBudget(s.cfg.MaxResponseBytes))
			return s.transaction(ctx, ops)
		})
	} else {
		c.Set(ctxInteraction, "batch")
		for _, o := range ops {
			if o.err == nil {
				o.err = s.runEntry(ctx, o)
			}
		}
	}
	if err != nil {
		writeError(c, err)
		return
	}
	out := bundle{ResourceType: "Bundle", Type: respType, Entry: make([]bundleEntry, len(ops))}
	for i, o := range ops {
		out.Entry[i] = s.entryResponse(o, preferReturn(c))
	}
	body, err := marshalBundle(&out, out.slots())
	if err != nil {
		writeError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, body)
}

// readBundle reads the body as a batch or transaction Bundle within the
// entry limit.
func (s *Server) readBundle(c *gin.Context) (*bundleIn, error) {
	body, err := readBody(c, s.cfg.MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	var in bundleIn
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, fhir.Errorf(fhir.KindInvalid, fhir.IssueStructure, "the body is not a Bundle: %v", err)
	}
	switch {
	case in.ResourceType != "Bundle":
		return nil, fhir.Errorf(fhir.KindInvalid, fhir.IssueInvalid,
			"POST to the base takes a Bundle, not %q", in.ResourceType).At("resourceType")
	case in.Type != "batch" && in.Type != "transaction":
		return nil, fhir.Errorf(fhir.KindInvalid, fhir.IssueValue,
			"POST to the base takes a batch or transaction Bundle, not type %q", in.Type).At("Bundle.type")
	case len(in.Entry) > s.cfg.MaxBundleEntries:
		return nil, fhir.Errorf(fhir.KindTooCostly, fhir.IssueTooCostly,
			"the Bundle has %d entries; this server takes at most %d", len(in.Entry), s.cfg.MaxBundleEntries).At("Bundle.entry")
	}
	return &in, uniqueFullURLs(in.Entry)
}

// uniqueFullURLs checks invariant bdl-7: a fullUrl names one entry, unless
// the entries that share it hold different versions (meta.versionId).
func uniqueFullURLs(entries []entryIn) error {
	seen := map[string][]int{}
	for i, e := range entries {
		if e.FullURL == "" {
			continue
		}
		for _, j := range seen[e.FullURL] {
			if v := versionOf(e.Resource); v == "" || v == versionOf(entries[j].Resource) {
				return fhir.Errorf(fhir.KindInvalid, fhir.IssueInvariant,
					"entries %d and %d have the same fullUrl %q (bdl-7: fullUrl must be unique in a bundle, or else entries with the same fullUrl must have different meta.versionId)",
					j, i, e.FullURL).At(fmt.Sprintf("Bundle.entry[%d].fullUrl", i))
			}
		}
		seen[e.FullURL] = append(seen[e.FullURL], i)
	}
	return nil
}

func versionOf(raw json.RawMessage) string {
	var r struct {
		Meta struct {
			VersionID string `json:"versionId"`
		} `json:"meta"`
	}
	_ = json.Unmarshal(raw, &r) // an invalid resource fails validation later
	return r.Meta.VersionID
}

// entryResponse is the response entry of one processed op.
func (s *Server) entryResponse(o *op, prefer string) bundleEntry {
	if o.err != nil {
		fe, ok := fhir.AsError(o.err)
		if !ok || fe.Kind == fhir.KindInternal {
			fe = fhir.Errorf(fhir.KindInternal, fhir.IssueException, "internal server error")
		}
		b, _ := json.Marshal(newOutcome(fe.Issues))
		return bundleEntry{Response: &entryResponse{Status: statusLine(statusOf[fe.Kind]), Outcome: b}}
	}
	e := bundleEntry{Response: &entryResponse{Status: statusLine(o.out.status)}}
	if r := o.out.res; r != nil {
		e.Response.ETag = r.ETag()
		e.Response.LastModified = fhir.Instant(r.LastUpdated)
		if !r.Deleted {
			e.FullURL = s.cfg.BaseURL + "/" + r.Type + "/" + r.ID
			if o.method != http.MethodGet {
				e.Response.Location = r.Type + "/" + r.ID + "/_history/" + strconv.FormatInt(r.VersionID, 10)
			}
		}
	}
	switch {
	case o.head:
		// HEAD: the response line and headers of a GET, no resource
	case o.body != nil:
		e.Resource = o.body
	case prefer == "OperationOutcome" && o.out.info != "":
		e.Response.Outcome = information(o.out.info)
	case prefer != "minimal" && o.out.res != nil && !o.out.res.Deleted && o.out.status != http.StatusNotModified:
		e.Resource = o.out.res.JSON
	}
	return e
}

// cloneOps copies ops deeply enough that processing the copies leaves
// the originals as parsed; the copies share the response budget b.
func cloneOps(ops []*op, b *budget) []*op {
	out := make([]*op, len(ops))
	for i, o := range ops {
		c := *o
		c.budget = b
		if o.res != nil {
			c.res = fhir.CloneTree(o.res).(map[string]any)
		}
		out[i] = &c
	}
	return out
}

// statusLine is the status of a response entry: the code and its reason.
func statusLine(code int) string { return strconv.Itoa(code) + " " + http.StatusText(code) }

// entryError names the entry an error came from.
func entryError(i int, method string, err error) error {
	fe, ok := fhir.AsError(err)
	if !ok {
		return err
	}
	out := &fhir.Error{Kind: fe.Kind, Err: fe.Err}
	entry := fmt.Sprintf("Bundle.entry[%d]", i)
	for _, is := range fe.Issues {
		is.Diagnostics = fmt.Sprintf("%s (%s): %s", entry, method, is.Diagnostics)
		is.Expression = inEntry(entry, is.Expression)
		out.Issues = append(out.Issues, is)
	}
	return out
}

// inEntry rebases the expressions of an entry's issue onto the entry:
// Patient.active becomes Bundle.entry[i].resource.active. Expressions not
// rooted at a resource (a search parameter of the entry's url) are not
// paths in the Bundle; the entry itself stands for them.
func inEntry(entry string, exprs []string) []string {
	var out []string
	for _, e := range exprs {
		root, rest, _ := strings.Cut(e, ".")
		if i := strings.IndexByte(root, '['); i >= 0 {
			root, rest = root[:i], e[i:]
		} else if rest != "" {
			rest = "." + rest
		}
		if _, ok := fhir.LookupType(root); ok {
			out = append(out, entry+".resource"+rest)
		}
	}
	if len(out) == 0 {
		out = []string{entry}
	}
	return out
}

// now is the clock of the reference time of searches in bundles.
func now() time.Time { return time.Now().UTC() }

// trimBase makes an absolute URL under the server's base relative.
func (s *Server) trimBase(u string) string {
	if rest, ok := strings.CutPrefix(u, s.cfg.BaseURL+"/"); ok {
		return rest
	}
	return u
}
