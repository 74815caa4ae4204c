package validate

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"github.com/fhirbase-go/fhird/fhir"
)

const xhtmlNS = "http://www.w3.org/1999/xhtml"

// forbiddenElements are the XHTML elements a narrative must not hold
// (narrative.html, txt-1): document structure (html, head, body), scripts,
// forms, base and link, frames, iframes, objects and style sheets. The
// basic formatting elements, tables, lists, a and img are allowed.
var forbiddenElements = map[string]bool{
	"html": true, "head": true, "body": true, "title": true, "meta": true,
	"script": true, "noscript": true, "style": true, "base": true, "link": true,
	"form": true, "input": true, "button": true, "select": true, "option": true,
	"optgroup": true, "textarea": true, "label": true, "fieldset": true, "legend": true,
	"frame": true, "frameset": true, "noframes": true, "iframe": true,
	"object": true, "applet": true, "embed": true, "param": true,
}

// checkNarrative checks Narrative.div: well-formed XHTML whose root is a
// div in the XHTML namespace, without the elements, event attributes,
// xlink attributes and script URLs txt-1 excludes, and with some content
// (txt-2: non-white-space text, or an image).
func checkNarrative(div string) (fhir.IssueType, string) {
	d := xml.NewDecoder(strings.NewReader(div))
	d.Strict = true // and only XML's five entities: &nbsp; is not XML (write &#160;)
	depth, content := 0, false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fhir.IssueInvariant, "The narrative is not well-formed XHTML: " + clip(err.Error())
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 && (t.Name.Local != "div" || t.Name.Space != xhtmlNS) {
				return fhir.IssueInvariant, `The narrative must be a single <div xmlns="` + xhtmlNS + `"> element.`
			}
			if t.Name.Space != xhtmlNS {
				return fhir.IssueInvariant, "The narrative holds <" + clip(t.Name.Local) + ">, which is not in the XHTML namespace."
			}
			name := strings.ToLower(t.Name.Local)
			if forbiddenElements[name] {
				return fhir.IssueInvariant, "txt-1: the narrative must not hold <" + clip(name) + "> (only basic formatting, tables, lists, links and images)."
			}
			if msg := checkAttrs(name, t.Attr); msg != "" {
				return fhir.IssueInvariant, msg
			}
			content = content || name == "img"
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && strings.TrimSpace(string(t)) != "" {
				return fhir.IssueInvariant, "The narrative has text outside its <div>."
			}
			content = content || strings.TrimSpace(string(t)) != ""
		case xml.Directive:
			return fhir.IssueInvariant, "txt-1: the narrative must not hold a <!DOCTYPE> or other directive."
		case xml.ProcInst:
			if depth > 0 || t.Target != "xml" {
				return fhir.IssueInvariant, "txt-1: the narrative must not hold processing instructions."
			}
		}
		if depth == 0 {
			if _, ok := tok.(xml.EndElement); ok {
				if _, err := d.Token(); !errors.Is(err, io.EOF) {
					return fhir.IssueInvariant, `The narrative must be a single <div xmlns="` + xhtmlNS + `"> element.`
				}
				break
			}
		}
	}
	if !content {
		return fhir.IssueInvariant, "txt-2: the narrative must have some non-white-space content."
	}
	return "", ""
}

// checkAttrs refuses event attributes (onclick), xlink attributes and
// script URLs (javascript:, vbscript:) in links and images.
func checkAttrs(elem string, attrs []xml.Attr) string {
	for _, a := range attrs {
		local := strings.ToLower(a.Name.Local)
		switch {
		case strings.HasPrefix(local, "on"):
			return "txt-1: the narrative must not hold event attributes (" + clip(a.Name.Local) + " on <" + clip(elem) + ">)."
		case a.Name.Space == "http://www.w3.org/1999/xlink" || a.Name.Space == "xlink":
			return "txt-1: the narrative must not hold xlink attributes (" + clip(a.Name.Local) + " on <" + clip(elem) + ">)."
		case local == "href" || local == "src":
			v := strings.ToLower(strings.TrimSpace(a.Value))
			if strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") {
				return "txt-1: the narrative must not hold scripts (a " + clip(v[:strings.IndexByte(v, ':')+1]) + " URL in " + clip(a.Name.Local) + " on <" + clip(elem) + ">)."
			}
		}
	}
	return ""
}

// checkExtension checks ext-1 on one Extension: a value[x] or nested
// extensions, not both and not neither.
func checkExtension(ext map[string]any) string {
	value := false
	for k := range ext {
		// A value of a primitive type may come with extensions only
		// (_valueString), and is there all the same.
		k = strings.TrimPrefix(k, "_")
		if len(k) > len("value") && strings.HasPrefix(k, "value") && k[5] >= 'A' && k[5] <= 'Z' {
			value = true
		}
	}
	nested, _ := ext["extension"].([]any)
	if value == (len(nested) > 0) {
		return "ext-1: an extension must have either extensions or value[x], not both (and not neither)."
	}
	return ""
}
