package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/search"
)

// Paging tokens are opaque to clients and authenticated with the server's
// key, bound to the tenant and to the request they page through, so a
// client can neither forge a position nor replay it against another tenant
// or query.

// seal encodes v and signs it together with scope (tenant and query).
func seal(key []byte, scope string, v any) string {
	payload, _ := json.Marshal(v)
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + base64.RawURLEncoding.EncodeToString(mac(key, scope, p))
}

// open checks a token made by seal for the same scope and decodes it into v.
func open(key []byte, scope, token string, v any) error {
	bad := fhir.Errorf(fhir.KindInvalid, fhir.IssueValue, "the paging token is not valid for this request").At("_page_token")
	p, sig, ok := strings.Cut(token, ".")
	if !ok {
		return bad
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac(key, scope, p)) {
		return bad
	}
	payload, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil || json.Unmarshal(payload, v) != nil {
		return bad
	}
	return nil
}

func mac(key []byte, scope, payload string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(scope))
	m.Write([]byte{0})
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// historyCursor is the position a history page continues from.
type historyCursor struct {
	LastUpdated int64  `json:"t"` // unix microseconds
	Type        string `json:"y,omitempty"`
	ID          string `json:"i,omitempty"`
	Version     int64  `json:"v"`
}

func (c historyCursor) key() *fhir.HistoryKey {
	return &fhir.HistoryKey{LastUpdated: time.UnixMicro(c.LastUpdated).UTC(), Type: c.Type, ID: c.ID, VersionID: c.Version}
}

func historyCursorOf(k *fhir.HistoryKey) historyCursor {
	return historyCursor{LastUpdated: k.LastUpdated.UnixMicro(), Type: k.Type, ID: k.ID, Version: k.VersionID}
}

// searchCursor is a search keyset position with typed sort key values.
type searchCursor struct {
	Keys     []cursorKey `json:"k,omitempty"`
	PK       int64       `json:"p"`
	Backward bool        `json:"b,omitempty"`
}

// cursorKey is one sort key value: T is "t" (time, unix microseconds),
// "s" (string), "f" (float64) or "n" (NULL).
type cursorKey struct {
	T string `json:"t"`
	V string `json:"v,omitempty"`
}

func sealAfter(key []byte, scope string, a *search.After) string {
	c := searchCursor{PK: a.PK, Backward: a.Backward}
	for _, k := range a.Keys {
		switch v := k.(type) {
		case time.Time:
			c.Keys = append(c.Keys, cursorKey{"t", strconv.FormatInt(v.UnixMicro(), 10)})
		case string:
			c.Keys = append(c.Keys, cursorKey{"s", v})
		case float64:
			c.Keys = append(c.Keys, cursorKey{"f", strconv.FormatFloat(v, 'g', -1, 64)})
		default:
			c.Keys = append(c.Keys, cursorKey{T: "n"})
		}
	}
	return seal(key, scope, c)
}

func openAfter(key []byte, scope, token string) (*search.After, error) {
	var c searchCursor
	if err := open(key, scope, token, &c); err != nil {
		return nil, err
	}
	a := &search.After{PK: c.PK, Backward: c.Backward}
	for _, k := range c.Keys {
		var v any
		switch k.T {
		case "t":
			n, _ := strconv.ParseInt(k.V, 10, 64)
			v = time.UnixMicro(n).UTC()
		case "s":
			v = k.V
		case "f":
			v, _ = strconv.ParseFloat(k.V, 64)
		}
		a.Keys = append(a.Keys, v)
	}
	return a, nil
}
