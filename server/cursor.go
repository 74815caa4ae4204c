package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/fhirbase-go/fhird/fhir"
)

// cursor is the position a page link continues from. It is opaque to
// clients and authenticated with the server's key, bound to the tenant and
// to the request it pages through, so a client can neither forge a position
// nor replay it against another tenant or query.
type cursor struct {
	LastUpdated int64  `json:"t"` // unix microseconds
	Type        string `json:"y,omitempty"`
	ID          string `json:"i,omitempty"`
	Version     int64  `json:"v"`
}

func (c cursor) key() *fhir.HistoryKey {
	return &fhir.HistoryKey{LastUpdated: time.UnixMicro(c.LastUpdated).UTC(), Type: c.Type, ID: c.ID, VersionID: c.Version}
}

func cursorOf(k *fhir.HistoryKey) cursor {
	return cursor{LastUpdated: k.LastUpdated.UnixMicro(), Type: k.Type, ID: k.ID, Version: k.VersionID}
}

// seal encodes c and signs it together with scope (tenant and query).
func seal(key []byte, scope string, c cursor) string {
	payload, _ := json.Marshal(c)
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + base64.RawURLEncoding.EncodeToString(mac(key, scope, p))
}

// open checks and decodes a token made by seal for the same scope.
func open(key []byte, scope, token string) (cursor, error) {
	var c cursor
	bad := fhir.Errorf(fhir.KindInvalid, fhir.IssueValue, "the paging token is not valid for this request").At("_page_token")
	p, sig, ok := strings.Cut(token, ".")
	if !ok {
		return c, bad
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac(key, scope, p)) {
		return c, bad
	}
	payload, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil || json.Unmarshal(payload, &c) != nil {
		return c, bad
	}
	return c, nil
}

func mac(key []byte, scope, payload string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(scope))
	m.Write([]byte{0})
	m.Write([]byte(payload))
	return m.Sum(nil)
}
