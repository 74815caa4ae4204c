package server

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/search"
)

// Paging tokens are opaque to clients: encrypted and authenticated with
// the server's key (AES-GCM), bound to the tenant and to the request they
// page through, so a client can neither read a position (its row numbers
// come from a sequence all tenants share, and would tell how much others
// write), nor forge one, nor replay it against another tenant or query.

// seal encodes v and encrypts it, authenticated together with scope
// (tenant and query).
func seal(key []byte, scope string, v any) string {
	payload, _ := json.Marshal(v)
	aead := pagingAEAD(key)
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(payload)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, payload, []byte(scope)))
}

// open checks a token made by seal for the same scope and decodes it into v.
func open(key []byte, scope, token string, v any) error {
	bad := fhir.Errorf(fhir.KindInvalid, fhir.IssueValue, "the paging token is not valid for this request").At("_page_token")
	raw, err := base64.RawURLEncoding.DecodeString(token)
	aead := pagingAEAD(key)
	if err != nil || len(raw) < aead.NonceSize() {
		return bad
	}
	payload, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(scope))
	if err != nil || json.Unmarshal(payload, v) != nil {
		return bad
	}
	return nil
}

// aeads holds the AEAD of each cursor key seen (one per process in
// practice), so that a page link costs no key derivation.
var aeads sync.Map

// pagingAEAD is AES-256-GCM under a key derived from the cursor key. An
// AEAD is safe for concurrent use.
func pagingAEAD(key []byte) cipher.AEAD {
	if a, ok := aeads.Load(string(key)); ok {
		return a.(cipher.AEAD)
	}
	a := newPagingAEAD(key)
	aeads.Store(string(key), a)
	return a
}

func newPagingAEAD(key []byte) cipher.AEAD {
	k := sha256.Sum256(append([]byte("fhird paging token\x00"), key...))
	block, err := aes.NewCipher(k[:])
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
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
