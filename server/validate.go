package server

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/validate"
)

// validateType answers POST [type]/$validate.
func (s *Server) validateType(c *gin.Context) {
	c.Set(ctxInteraction, "operation")
	t, err := s.resourceType(c)
	if err != nil {
		writeError(c, err)
		return
	}
	s.runValidate(c, t, "")
}

// validateInstance answers POST [type]/[id]/$validate.
func (s *Server) validateInstance(c *gin.Context) {
	c.Set(ctxInteraction, "operation")
	t, id, err := s.target(c)
	if err != nil {
		writeError(c, err)
		return
	}
	s.runValidate(c, t, id)
}

// runValidate is $validate: it checks the resource as a write would and
// stores nothing. The answer is 200 with an OperationOutcome whether or
// not the resource is valid (its errors are the outcome's issues); only a
// request $validate cannot run (no resource, an unknown mode, a missing
// instance) is a 4xx.
func (s *Server) runValidate(c *gin.Context, t *fhir.ResourceType, id string) {
	body, err := readBody(c, s.cfg.MaxBodyBytes)
	var in validateInput
	if err == nil {
		in, err = validateParams(body)
	}
	if err == nil && id != "" && (in.mode == "update" || in.mode == "delete") {
		_, err = s.repo.Read(c.Request.Context(), t.Name, id)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	if in.mode == "delete" {
		writeJSON(c, http.StatusOK, information(t.Name+"/"+id+" may be deleted"))
		return
	}
	res, verr := validate.Resource(in.resource, t.Name)
	if verr == nil && id != "" && in.mode == "update" {
		if bodyID, _ := res["id"].(string); bodyID != id {
			verr = fhir.Errorf(fhir.KindInvalid, fhir.IssueInvalid,
				"the resource id %q must equal the id in the URL, %q", bodyID, id).At(t.Name + ".id")
		}
	}
	if verr == nil {
		writeJSON(c, http.StatusOK, information("the "+t.Name+" is valid"))
		return
	}
	fe, ok := fhir.AsError(verr)
	if !ok {
		writeError(c, verr)
		return
	}
	b, _ := json.Marshal(newOutcome(fe.Issues))
	writeJSON(c, http.StatusOK, b)
}

// validateInput is what $validate was asked to check.
type validateInput struct {
	resource []byte
	mode     string // "", create, update or delete
}

// validateParams reads the body of $validate: the resource itself, or a
// Parameters resource with parameters resource and mode.
func validateParams(body []byte) (validateInput, error) {
	var head struct {
		ResourceType string `json:"resourceType"`
		Parameter    []struct {
			Name      string          `json:"name"`
			ValueCode string          `json:"valueCode"`
			Resource  json.RawMessage `json:"resource"`
		} `json:"parameter"`
	}
	if json.Unmarshal(body, &head) != nil || head.ResourceType != "Parameters" {
		return validateInput{resource: body}, nil
	}
	var in validateInput
	for _, p := range head.Parameter {
		switch p.Name {
		case "resource":
			in.resource = p.Resource
		case "mode":
			in.mode = p.ValueCode
		}
	}
	switch in.mode {
	case "", "create", "update", "delete":
	default:
		return in, fhir.Errorf(fhir.KindInvalid, fhir.IssueValue,
			"mode %q is not a resource validation mode (create, update, delete)", in.mode).At("Parameters.parameter.where(name='mode')")
	}
	if in.resource == nil && in.mode != "delete" {
		return in, fhir.Errorf(fhir.KindInvalid, fhir.IssueRequired,
			"$validate needs the resource to validate").At("Parameters.parameter.where(name='resource')")
	}
	return in, nil
}
