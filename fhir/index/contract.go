// This file holds the contract shared with the search compiler: the hashes
// and the normal forms of strings. Changing any of it invalidates every
// stored index row.

package index

import (
	"crypto/sha256"
	"encoding/binary"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A hash is the first 8 bytes of the SHA-256 digest of an encoded list of
// fields, read big-endian as a two's-complement int64 (PostgreSQL int8).
// Each field is encoded as its byte length (unsigned varint, as
// encoding/binary.AppendUvarint writes it) followed by its bytes, so the
// encoding of a list is injective: no two different lists encode the same.
// The first field is always a domain tag ("param", "token", "present",
// "of-type", "quantity", "composite") so hashes of different kinds never
// share an input. A token form is encoded as a tag and its parts:
//
//	FormAny        "any", code
//	FormSystemCode "sc", system, code
//	FormNoSystem   "nosys", code
//	FormSystem     "sys", system
//
// The tag fixes how many parts follow, which keeps lists that embed forms
// injective too.

// FormKind is one of the four ways a token query names a value.
type FormKind uint8

// The token search forms.
const (
	// FormAny is "code": the code in any system (or none).
	FormAny FormKind = iota + 1
	// FormSystemCode is "system|code".
	FormSystemCode
	// FormNoSystem is "|code": the code of a value that has no system.
	FormNoSystem
	// FormSystem is "system|": any code of the system.
	FormSystem
)

// TokenForm is one search form of a token value. System is empty for
// FormAny and FormNoSystem, Code for FormSystem.
type TokenForm struct {
	Kind   FormKind
	System string
	Code   string
}

// AppendForms appends the forms a value with the given system and code is
// found by: "code" and either "system|code" and "system|" (when the value
// has a system) or "|code" (when it has none). A value with a system and no
// code is found only by "system|". Codes are kept as they are: token
// matching is case-sensitive.
func AppendForms(dst []TokenForm, system, code string) []TokenForm {
	if code != "" {
		dst = append(dst, TokenForm{Kind: FormAny, Code: code})
		if system == "" {
			return append(dst, TokenForm{Kind: FormNoSystem, Code: code})
		}
		dst = append(dst, TokenForm{Kind: FormSystemCode, System: system, Code: code})
	}
	if system != "" {
		dst = append(dst, TokenForm{Kind: FormSystem, System: system})
	}
	return dst
}

// maxStack is the size of the buffer encodings start in; longer inputs
// spill to the heap.
const maxStack = 256

func appendField(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendForm(b []byte, f TokenForm) []byte {
	switch f.Kind {
	case FormAny:
		return appendField(appendField(b, "any"), f.Code)
	case FormSystemCode:
		return appendField(appendField(appendField(b, "sc"), f.System), f.Code)
	case FormNoSystem:
		return appendField(appendField(b, "nosys"), f.Code)
	case FormSystem:
		return appendField(appendField(b, "sys"), f.System)
	}
	return appendField(b, "invalid")
}

func sum(b []byte) int64 {
	d := sha256.Sum256(b)
	return int64(binary.BigEndian.Uint64(d[:8]))
}

// ParamHash identifies a search parameter in the string, reference, date
// and number rows: hash("param", code). Modifier variants use the code
// with the modifier, e.g. ParamHash("code:text") for the :text strings.
func ParamHash(code string) int64 {
	var buf [maxStack]byte
	return sum(appendField(appendField(buf[:0], "param"), code))
}

// Hash is the token hash of the form for parameter param:
// hash("token", param, form...).
func (f TokenForm) Hash(param string) int64 {
	var buf [maxStack]byte
	b := appendField(appendField(buf[:0], "token"), param)
	return sum(appendForm(b, f))
}

// TokenAny is the hash of the query "param=code".
func TokenAny(param, code string) int64 {
	return TokenForm{Kind: FormAny, Code: code}.Hash(param)
}

// TokenSystemCode is the hash of the query "param=system|code".
func TokenSystemCode(param, system, code string) int64 {
	return TokenForm{Kind: FormSystemCode, System: system, Code: code}.Hash(param)
}

// TokenNoSystem is the hash of the query "param=|code".
func TokenNoSystem(param, code string) int64 {
	return TokenForm{Kind: FormNoSystem, Code: code}.Hash(param)
}

// TokenSystem is the hash of the query "param=system|".
func TokenSystem(param, system string) int64 {
	return TokenForm{Kind: FormSystem, System: system}.Hash(param)
}

// Present is the token every parameter with at least one value emits, for
// ":missing": hash("present", param).
func Present(param string) int64 {
	var buf [maxStack]byte
	return sum(appendField(appendField(buf[:0], "present"), param))
}

// TokenOfType is the hash of "param:of-type=typeSystem|typeCode|value" for
// an Identifier whose type has a coding (typeSystem, typeCode):
// hash("of-type", param, typeSystem, typeCode, value). param is the
// parameter's own code (e.g. "identifier"); typeSystem is empty when the
// coding has none, and the query must then leave it empty too.
func TokenOfType(param, typeSystem, typeCode, value string) int64 {
	var buf [maxStack]byte
	b := appendField(appendField(buf[:0], "of-type"), param)
	b = appendField(appendField(appendField(b, typeSystem), typeCode), value)
	return sum(b)
}

// QuantityHash is the Hash of a quantity's number rows for one unit form:
// hash("quantity", param, system, code). A quantity is indexed under
// (system, code), ("", code), ("", unit) when unit differs from code, and
// ("", "") for a query without unit; the query "5|s|c" uses (s, c), "5||c"
// uses ("", c) and "5" uses ("", "").
func QuantityHash(param, system, code string) int64 {
	var buf [maxStack]byte
	b := appendField(appendField(buf[:0], "quantity"), param)
	return sum(appendField(appendField(b, system), code))
}

// CompositeTokenToken is the token of a composite whose components are two
// tokens: hash("composite", param, formA..., formB...).
func CompositeTokenToken(param string, a, b TokenForm) int64 {
	var buf [maxStack]byte
	e := appendField(appendField(buf[:0], "composite"), param)
	return sum(appendForm(appendForm(e, a), b))
}

// CompositeTokenQuantity is the Hash of the number rows of a composite of a
// token and a quantity, for one form of the token and one unit form of the
// quantity (as in QuantityHash): hash("composite", param, form...,
// "quantity", system, code).
func CompositeTokenQuantity(param string, a TokenForm, system, code string) int64 {
	var buf [maxStack]byte
	e := appendForm(appendField(appendField(buf[:0], "composite"), param), a)
	e = appendField(appendField(appendField(e, "quantity"), system), code)
	return sum(e)
}

// CompositeTokenNumber is the Hash of the number rows of the i-th (1 or 2)
// number of a composite of a token and two numbers (MolecularSequence's
// coordinates), for one form of the token: hash("composite", param,
// form..., "number", i).
func CompositeTokenNumber(param string, a TokenForm, i int) int64 {
	var buf [maxStack]byte
	e := appendForm(appendField(appendField(buf[:0], "composite"), param), a)
	return sum(appendField(appendField(e, "number"), strconv.Itoa(i)))
}

// CompositeTokenDate is the Hash of the date rows of a composite of a token
// and a date, for one form of the token: hash("composite", param, form...,
// "date").
func CompositeTokenDate(param string, a TokenForm) int64 {
	var buf [maxStack]byte
	e := appendForm(appendField(appendField(buf[:0], "composite"), param), a)
	return sum(appendField(e, "date"))
}

// CompositeTokenString is the Hash of the string rows of a composite of a
// token and a string, for one form of the token: hash("composite", param,
// form..., "string").
func CompositeTokenString(param string, a TokenForm) int64 {
	var buf [maxStack]byte
	e := appendForm(appendField(appendField(buf[:0], "composite"), param), a)
	return sum(appendField(e, "string"))
}

// MaxStringBytes caps the length of the Norm and Exact forms of a string,
// and of uri values, so that btree entries stay small (PostgreSQL refuses
// index entries over about 2.7 kB). Strings are cut on a rune boundary; a
// query value must be cut the same way (Normalize and Exact do it).
const MaxStringBytes = 1024

// Cap cuts s to at most MaxStringBytes bytes without splitting a rune.
func Cap(s string) string {
	if len(s) <= MaxStringBytes {
		return s
	}
	i := MaxStringBytes
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// Exact returns the form of s compared by ":exact" and stored as
// String.Exact: s unchanged, except that invalid UTF-8 becomes U+FFFD and
// NUL characters are dropped (PostgreSQL text can hold neither), capped by
// Cap.
func Exact(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return Cap(s)
}

// Normalize returns the form of s that default (prefix) string search
// compares, stored as String.Norm:
//
//   - letters are lower-cased (unicode.ToLower);
//   - accents are folded: the letters of Latin-1 Supplement and Latin
//     Extended-A (U+00C0-U+017F) map to their base letters (é → e,
//     Ł → l), with æ → ae, œ → oe, ĳ → ij, ß → ss, þ → th, ð → d; the
//     letters of Latin Extended-B and Additional, Greek and Cyrillic with
//     a canonical decomposition map to its base letter (ș → s, ễ → e,
//     ά → α, ё → е; extraFold, generated by cmd/foldgen), final sigma to
//     sigma; and combining marks (U+0300-U+036F, U+1AB0-U+1AFF,
//     U+1DC0-U+1DFF, U+20D0-U+20FF, U+FE20-U+FE2F) are dropped, so
//     decomposed input folds the same; other scripts are only lower-cased;
//   - punctuation (unicode.IsPunct: apostrophes, hyphens, periods,
//     commas, brackets, quotation marks ...) is dropped, as search.html
//     recommends, so O'Brien, O’Brien and OBrien fold alike; symbols
//     (+ $ × ...) are kept;
//   - white space and control characters become spaces, runs of them one
//     space, and leading and trailing ones are trimmed;
//   - the result is capped by Cap: the folding stops once it has more than
//     MaxStringBytes, so that a string of a megabyte costs no more than one
//     of a few kilobytes.
//
// The package implements the folding itself because it may use only the
// standard library (no golang.org/x/text normalization at run time; the
// generator uses it to write the table).
func Normalize(s string) string {
	if isNormal(s) {
		return Cap(s)
	}
	var b strings.Builder
	b.Grow(min(len(s), MaxStringBytes+utf8.UTFMax))
	space := false
	for _, r := range s {
		if b.Len() >= MaxStringBytes {
			break // runes are written whole: Cap keeps nothing past here
		}
		switch {
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = b.Len() > 0
			continue
		case isCombining(r) || unicode.IsPunct(r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		r = unicode.ToLower(r)
		if r >= foldFirst && r < foldFirst+rune(len(foldTable)) {
			writeFolded(&b, r)
		} else if f, ok := extraFold[r]; ok {
			b.WriteString(f)
		} else {
			b.WriteRune(r)
		}
	}
	return Cap(b.String())
}

// isNormal reports whether s is already normalized ASCII: no upper-case
// letters, no control characters, single inner spaces, nothing to trim.
func isNormal(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80 || (c >= 'A' && c <= 'Z') || c < 0x20 || c == 0x7f || asciiPunct(c):
			return false
		case c == ' ' && (i == 0 || i == len(s)-1 || s[i+1] == ' '):
			return false
		}
	}
	return true
}

// asciiPunct reports whether c is ASCII punctuation (unicode.IsPunct):
// !"#%&'()*,-./:;?@[\]_{}.
func asciiPunct(c byte) bool {
	return strings.IndexByte(`!"#%&'()*,-./:;?@[\]_{}`, c) >= 0
}

func isCombining(r rune) bool {
	return (r >= 0x0300 && r <= 0x036F) || (r >= 0x1AB0 && r <= 0x1AFF) ||
		(r >= 0x1DC0 && r <= 0x1DFF) || (r >= 0x20D0 && r <= 0x20FF) ||
		(r >= 0xFE20 && r <= 0xFE2F)
}

// foldFirst is the first code point of foldTable.
const foldFirst = 0xC0

// foldTable holds, for each code point from U+00C0 to U+017F, its base
// letter; '*' marks the letters that fold to two letters (see multiFold)
// and '-' the symbols kept as they are (× and ÷). The table is indexed by
// the lower-cased rune, but lists upper-case letters too for clarity.
const foldTable = "" +
	"aaaaaa*ceeeeiiii" + // U+00C0 ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏ
	"dnooooo-ouuuuy**" + // U+00D0 ÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞß
	"aaaaaa*ceeeeiiii" + // U+00E0 àáâãäåæçèéêëìíîï
	"dnooooo-ouuuuy*y" + // U+00F0 ðñòóôõö÷øùúûüýþÿ
	"aaaaaaccccccccdd" + // U+0100 ĀāĂăĄąĆćĈĉĊċČčĎď
	"ddeeeeeeeeeegggg" + // U+0110 ĐđĒēĔĕĖėĘęĚěĜĝĞğ
	"gggghhhhiiiiiiii" + // U+0120 ĠġĢģĤĥĦħĨĩĪīĬĭĮį
	"ii**jjkkklllllll" + // U+0130 İıĲĳĴĵĶķĸĹĺĻļĽľĿ
	"lllnnnnnnnnnoooo" + // U+0140 ŀŁłŃńŅņŇňŉŊŋŌōŎŏ
	"oo**rrrrrrssssss" + // U+0150 ŐőŒœŔŕŖŗŘřŚśŜŝŞş
	"ssttttttuuuuuuuu" + // U+0160 ŠšŢţŤťŦŧŨũŪūŬŭŮů
	"uuuuwwyyyzzzzzzs" //   U+0170 ŰűŲųŴŵŶŷŸŹźŻżŽžſ

// multiFold maps the letters marked '*' in foldTable.
var multiFold = map[rune]string{
	'Æ': "ae", 'æ': "ae", 'Þ': "th", 'þ': "th", 'ß': "ss",
	'Ĳ': "ij", 'ĳ': "ij", 'Œ': "oe", 'œ': "oe",
}

func writeFolded(b *strings.Builder, r rune) {
	switch c := foldTable[r-foldFirst]; c {
	case '*':
		b.WriteString(multiFold[r])
	case '-':
		b.WriteRune(r)
	default:
		b.WriteByte(c)
	}
}
