package fhirpath

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// xhtmlNS is the namespace of the narrative's div.
const xhtmlNS = "http://www.w3.org/1999/xhtml"

// narrativeElements are the XHTML elements the R4 narrative rules allow:
// the basic formatting elements of chapters 7 to 11 and 15 of HTML 4.0 (the
// structure, text, list, table and style chapters, without section 4 of
// chapter 9, ins and del, and without the deprecated elements such as font,
// center, u, s and strike), plus a, img, map and area.
var narrativeElements = setOf(`div span p br hr h1 h2 h3 h4 h5 h6 address
	em strong dfn code samp kbd var cite abbr acronym blockquote q sub sup pre
	ul ol li dl dt dd table caption colgroup col thead tfoot tbody tr th td
	tt i b big small bdo a img map area`)

// narrativeAttributes are the attributes allowed on them: the core, i18n,
// table and presentation attributes of those chapters, a's name and href,
// img's and area's source and geometry. Event handlers (on*) are not among
// them.
var narrativeAttributes = setOf(`id class style title lang dir xmlns
	href name rel rev hreflang charset shape coords src alt width height
	longdesc usemap ismap nohref border align valign char charoff span
	summary frame rules cellspacing cellpadding abbr axis headers scope
	rowspan colspan nowrap bgcolor start value type compact cite datetime
	clear noshade size accesskey tabindex`)

func setOf(fields string) map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Fields(fields) {
		m[f] = true
	}
	return m
}

// CheckNarrative implements htmlChecks(), the rules of R4 for the XHTML of
// a Narrative (txt-1 and txt-2): the text is well-formed XML whose root is
// a div in the XHTML namespace; it holds only the allowed elements (no
// head, body, script, style, form, frame, iframe, object, link, base...)
// and attributes (no event handlers), no processing instruction or
// DOCTYPE, no "javascript:" link; and it has some non-white-space text or
// an image. HTML's named entities such as &nbsp; are accepted. It returns
// nil when the narrative passes, else the first problem found.
func CheckNarrative(s string) error {
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	d.Entity = xml.HTMLEntity
	depth, content := 0, false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("narrative: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := checkElement(t, depth); err != nil {
				return err
			}
			depth++
			content = content || t.Name.Local == "img"
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && strings.TrimSpace(string(t)) != "" {
				return errors.New("narrative: text outside the div")
			}
			content = content || strings.TrimSpace(string(t)) != ""
		case xml.ProcInst, xml.Directive:
			if depth > 0 || !isXMLDecl(t) {
				return errors.New("narrative: processing instructions and declarations are not allowed")
			}
		}
	}
	if !content {
		return errors.New("narrative: the div has no text")
	}
	return nil
}

func isXMLDecl(t xml.Token) bool {
	pi, ok := t.(xml.ProcInst)
	return ok && pi.Target == "xml"
}

// checkElement checks one start tag at the given depth.
func checkElement(t xml.StartElement, depth int) error {
	if depth == 0 && (t.Name.Local != "div" || t.Name.Space != xhtmlNS) {
		return errors.New("narrative: the root must be an XHTML div")
	}
	if depth > 0 && (t.Name.Space != xhtmlNS || !narrativeElements[t.Name.Local]) {
		return fmt.Errorf("narrative: element <%s> is not allowed", t.Name.Local)
	}
	for _, a := range t.Attr {
		name := a.Name.Local
		if a.Name.Space == "xmlns" || (a.Name.Space == "http://www.w3.org/XML/1998/namespace" && name == "lang") {
			continue
		}
		if a.Name.Space != "" || !narrativeAttributes[name] {
			return fmt.Errorf("narrative: attribute %s on <%s> is not allowed", name, t.Name.Local)
		}
		if (name == "href" || name == "src") && hasPrefixFold(strings.TrimSpace(a.Value), "javascript:") {
			return fmt.Errorf("narrative: a script link on <%s> is not allowed", t.Name.Local)
		}
	}
	return nil
}
