package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/fhirbase-go/fhird/fhir"
)

// The media types the server speaks. FHIR JSON is the default; plain JSON
// is accepted and answered in kind.
const (
	mediaFHIRJSON = "application/fhir+json"
	mediaJSON     = "application/json"
)

// jsonFormats are the _format values that mean JSON.
var jsonFormats = map[string]string{
	"json": mediaFHIRJSON, mediaFHIRJSON: mediaFHIRJSON, mediaJSON: mediaJSON,
	"application/json+fhir": mediaFHIRJSON, // the DSTU2 name, still sent by some clients
}

// negotiate decides the response media type from _format, which overrides
// Accept, and refuses what the server cannot produce.
func negotiate(c *gin.Context) error {
	if f, ok := c.GetQuery("_format"); ok {
		mt, _, _ := mime.ParseMediaType(strings.ReplaceAll(f, " ", "+"))
		if t, ok := jsonFormats[mt]; ok {
			c.Set(ctxMedia, t)
			return nil
		}
		return fhir.Errorf(fhir.KindNotAcceptable, fhir.IssueNotSupported,
			"_format %q is not supported; this server speaks JSON", f).At("_format")
	}
	accept := c.GetHeader("Accept")
	if accept == "" {
		return nil
	}
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || !r4(params) {
			continue
		}
		switch mt {
		case mediaFHIRJSON, "application/json+fhir", "*/*", "application/*":
			return nil
		case mediaJSON:
			c.Set(ctxMedia, mediaJSON)
			return nil
		}
	}
	return fhir.Errorf(fhir.KindNotAcceptable, fhir.IssueNotSupported,
		"none of the media types in Accept (%s) is supported; use %s (fhirVersion 4.0)", accept, mediaFHIRJSON)
}

// r4 reports whether the fhirVersion parameter of a media type, if any,
// names R4 (4.0, or the full 4.0.1): this server speaks no other version
// (http.html, the FHIR version parameter).
func r4(params map[string]string) bool {
	v, ok := params["fhirversion"] // mime lower-cases parameter names
	return !ok || v == "4.0" || v == "4.0.1"
}

// readBody reads a request body that must be FHIR JSON in UTF-8, at most
// max bytes. The body must say so: without a Content-Type the server would
// guess, and another charset would be read as UTF-8 and stored wrong.
func readBody(c *gin.Context, max int64) ([]byte, error) {
	ct := c.GetHeader("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	cs, hasCharset := params["charset"]
	if ct == "" || err != nil || (mt != mediaFHIRJSON && mt != mediaJSON && mt != "application/json+fhir") || !r4(params) ||
		(hasCharset && !strings.EqualFold(cs, "utf-8")) {
		return nil, fhir.Errorf(fhir.KindUnsupportedMedia, fhir.IssueNotSupported,
			"Content-Type %q is not supported; send %s in UTF-8 (fhirVersion 4.0)", ct, mediaFHIRJSON)
	}
	return readLimited(c, max)
}

// readLimited reads the request body, at most max bytes (413 above).
func readLimited(c *gin.Context, max int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, max))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, fhir.Errorf(fhir.KindTooLarge, fhir.IssueTooLong, "the request body is larger than %d bytes", max)
	}
	if err != nil {
		return nil, errAborted
	}
	return body, nil
}

// writeJSON writes a JSON body in the negotiated media type, indented when
// _pretty=true. A HEAD request gets the headers only.
func writeJSON(c *gin.Context, status int, body []byte) {
	media := mediaFHIRJSON
	if m, ok := c.Get(ctxMedia); ok {
		media = m.(string)
	}
	if c.Query("_pretty") == "true" {
		var buf bytes.Buffer
		if json.Indent(&buf, body, "", "  ") == nil {
			body = buf.Bytes()
		}
	}
	c.Data(status, media+"; charset=utf-8", body)
}
