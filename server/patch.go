package server

import (
	"bytes"
	"context"
	"encoding/json"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/patch"
	"github.com/fhirbase-go/fhird/fhir/validate"
)

// mediaJSONPatch is the media type of RFC 6902 JSON Patch.
const mediaJSONPatch = "application/json-patch+json"

// patchDoc is a parsed patch: a JSON Patch document or a FHIRPath Patch
// (Parameters), exactly one of them.
type patchDoc struct {
	jsonPatch []byte
	params    map[string]any
}

// patch answers PATCH [type]/[id].
func (s *Server) patch(c *gin.Context) {
	s.patchWith(c, s.target, s.patchByID)
}

// conditionalPatch answers PATCH [type]?[query]: one match is patched, no
// match is 404, more are 412.
func (s *Server) conditionalPatch(c *gin.Context) {
	s.patchWith(c, func(c *gin.Context) (*fhir.ResourceType, string, error) {
		t, err := s.resourceType(c)
		return t, c.Request.URL.RawQuery, err
	}, s.patchIf)
}

// patchWith answers both PATCH forms: target names the type and the id or
// condition from the request, apply patches what they select.
func (s *Server) patchWith(c *gin.Context, target func(*gin.Context) (*fhir.ResourceType, string, error),
	apply func(context.Context, *fhir.ResourceType, string, patchDoc, int64) (result, error)) {
	c.Set(ctxInteraction, "patch")
	t, key, err := target(c)
	var ifMatch int64
	if err == nil {
		ifMatch, err = versionHeader(c, "If-Match")
	}
	var p patchDoc
	if err == nil {
		p, err = s.readPatch(c)
	}
	var out result
	if err == nil {
		out, err = apply(c.Request.Context(), t, key, p, ifMatch)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	s.written(c, out)
}

// readPatch reads the body as JSON Patch or, in FHIR JSON, as a FHIRPath
// Patch Parameters resource.
func (s *Server) readPatch(c *gin.Context) (patchDoc, error) {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt == mediaJSONPatch {
		body, err := readLimited(c, s.cfg.MaxBodyBytes)
		return patchDoc{jsonPatch: body}, err
	}
	if mt == "" {
		return patchDoc{}, fhir.Errorf(fhir.KindUnsupportedMedia, fhir.IssueNotSupported,
			"PATCH needs a Content-Type: %s, or %s with a FHIRPath Patch Parameters resource", mediaJSONPatch, mediaFHIRJSON)
	}
	body, err := readBody(c, s.cfg.MaxBodyBytes)
	if err != nil {
		return patchDoc{}, err
	}
	return fhirPathPatch(body)
}

// fhirPathPatch parses a FHIRPath Patch body. The Parameters resource is
// decoded here rather than by the validator, whose R4 model rejects
// parameter[].resource.
func fhirPathPatch(body []byte) (patchDoc, error) {
	params, err := decodeObject(body)
	if err != nil {
		return patchDoc{}, err
	}
	if params["resourceType"] != "Parameters" {
		return patchDoc{}, fhir.Errorf(fhir.KindInvalid, fhir.IssueInvalid,
			"a FHIRPath Patch is a Parameters resource, not %v", params["resourceType"])
	}
	return patchDoc{params: params}, nil
}

// decodeObject decodes a JSON object as the generic tree the repository
// stores (numbers as json.Number).
func decodeObject(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, fhir.Errorf(fhir.KindInvalid, fhir.IssueStructure, "the body is not a JSON object")
	}
	return m, nil
}

// patchByID reads and locks the current version, applies the patch and
// stores the result, in one transaction: without If-Match a patch applies
// to whatever version is current, and no concurrent writer makes it fail.
func (s *Server) patchByID(ctx context.Context, t *fhir.ResourceType, id string, p patchDoc, ifMatch int64) (out result, err error) {
	err = s.tx.Transact(ctx, func(ctx context.Context) error {
		cur, err := s.tx.ReadForUpdate(ctx, t.Name, id)
		if err != nil {
			return err
		}
		out, err = s.applyPatch(ctx, t, cur, p, ifMatch)
		return err
	})
	return out, err
}

func (s *Server) patchIf(ctx context.Context, t *fhir.ResourceType, cond string, p patchDoc, ifMatch int64) (out result, err error) {
	err = s.tx.Transact(ctx, func(ctx context.Context) error {
		found, err := s.matchOne(ctx, t, cond)
		if err != nil {
			return err
		}
		cur, err := s.tx.ReadForUpdate(ctx, t.Name, found.ID)
		if err != nil {
			return err
		}
		out, err = s.applyPatch(ctx, t, cur, p, ifMatch)
		return err
	})
	return out, err
}

// matchOne is the one resource a conditional patch's condition matches.
func (s *Server) matchOne(ctx context.Context, t *fhir.ResourceType, cond string) (*fhir.Resource, error) {
	found, err := s.match(ctx, t, cond, 1)
	switch {
	case err != nil:
		return nil, err
	case len(found) == 0:
		return nil, fhir.Errorf(fhir.KindNotFound, fhir.IssueNotFound, "no %s matches %s", t.Name, cond)
	case len(found) > 1:
		return nil, multipleMatches(t, cond)
	}
	return found[0], nil
}

// applyPatch patches cur, read with ReadForUpdate, and stores the result
// as its next version. The write also checks that cur is still the
// current version, so a concurrent change could never be lost.
func (s *Server) applyPatch(ctx context.Context, t *fhir.ResourceType, cur *fhir.Resource, p patchDoc, ifMatch int64) (result, error) {
	res, err := patched(t, cur, p, ifMatch)
	if err != nil {
		return result{}, err
	}
	ws, err := s.tx.WriteAll(ctx, []fhir.Write{{Method: http.MethodPatch, Type: t.Name, ID: cur.ID, Res: res, IfMatch: cur.VersionID}})
	if err != nil {
		return result{}, unwrapItem(err)
	}
	return writtenResult(http.MethodPatch, ws[0]), nil
}

// patched applies p to cur and validates the result like any write.
func patched(t *fhir.ResourceType, cur *fhir.Resource, p patchDoc, ifMatch int64) (map[string]any, error) {
	if ifMatch > 0 && ifMatch != cur.VersionID {
		return nil, staleVersion(t, cur.ID, ifMatch)
	}
	var out []byte
	var err error
	if p.jsonPatch != nil {
		out, err = patch.JSON(cur.JSON, p.jsonPatch)
	} else {
		var tree map[string]any
		if tree, err = decodeObject(cur.JSON); err == nil {
			if tree, err = patch.FHIRPath(tree, p.params); err == nil {
				out, err = json.Marshal(tree)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	res, err := validate.Resource(out, t.Name)
	if err != nil {
		if fe, ok := fhir.AsError(err); ok && fe.Kind == fhir.KindInvalid {
			fe.Kind = fhir.KindUnprocessable
		}
		return nil, err
	}
	if id, _ := res["id"].(string); id != cur.ID {
		return nil, fhir.Errorf(fhir.KindUnprocessable, fhir.IssueProcessing,
			"a patch may not change the id of %s/%s", t.Name, cur.ID).At(t.Name + ".id")
	}
	return res, nil
}
