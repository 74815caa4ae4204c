package gen

import (
	"math/rand/v2"
	"strconv"
)

const (
	day  = 86400
	year = 365 * day
)

// organization renders organization j: a hospital or clinic in one of the
// cities, with an NPI.
func (g *Generator) organization(b *batch, r *rand.Rand, j int) {
	w := b.begin(kOrganization, g.id(kOrganization, j, 0), false)
	pl := &places[r.IntN(len(places))]
	g.npi(w, kOrganization, j)
	w.raw("active", "true")
	w.concepts("type", orgType, "prov", "Healthcare Provider")
	w.str("name", pl.city+" "+orgSuffixes[r.IntN(len(orgSuffixes))])
	w.arr("telecom")
	phone(w, r, "work")
	w.end(']')
	w.arr("address")
	address(w, r, pl, "work")
	w.end(']')
	b.done()
}

// practitioner renders practitioner j, who works for organization
// j % organizations.
func (g *Generator) practitioner(b *batch, r *rand.Rand, j int) {
	w := b.begin(kPractitioner, g.id(kPractitioner, j, 0), false)
	female := r.IntN(2) == 0
	g.npi(w, kPractitioner, j)
	w.raw("active", "true")
	deg := &degrees[r.IntN(len(degrees))]
	prefix := ""
	if deg.code == "MD" || deg.code == "DO" {
		prefix = "Dr."
	}
	c, given, family := drawName(r, female)
	w.arr("name")
	humanName(w, c, given, family, prefix)
	w.end(']')
	w.arr("telecom")
	phone(w, r, "work")
	w.end(']')
	if female {
		w.str("gender", "female")
	} else {
		w.str("gender", "male")
	}
	if r.IntN(10) < 7 {
		w.arr("qualification")
		w.elem()
		w.concept("code", v2Degree, deg.code, deg.display, "")
		w.end('}')
		w.end(']')
	}
	b.done()
}

// schedule renders the schedule of practitioner j, which holds the slots
// of that practitioner's appointments.
func (g *Generator) schedule(b *batch, r *rand.Rand, j int) {
	w := b.begin(kSchedule, g.id(kSchedule, j, 0), false)
	w.raw("active", "true")
	w.arr("actor")
	w.refElem(kPractitioner, g.id(kPractitioner, j, 0), false)
	w.end(']')
	w.period("planningHorizon", g.ref-year, g.ref+year)
	w.str("comment", []string{"Office hours", "Clinic sessions", "Outpatient schedule"}[r.IntN(3)])
	b.done()
}

// npi writes the identifier array of shared resource j: an NPI whose last
// digit is the Luhn check digit over "80840" and the first nine. The last
// eight of the nine are an affine function of j modulo 10^8 whose factor is
// prime to 10, so they never repeat within a kind and do not look serial.
func (g *Generator) npi(w *jw, k kind, j int) {
	lead := uint64(1)
	if k == kOrganization {
		lead = 2
	}
	base := lead*100_000_000 + (uint64(j)*73_939_133+g.salt[k])%100_000_000
	var d [10]byte
	sum := 24 // the doubled digits of the prefix 80840
	for i := 8; i >= 0; i-- {
		v := int(base % 10)
		base /= 10
		d[i] = byte('0' + v)
		if (8-i)%2 == 0 { // doubled: every other digit from the right of the nine
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	d[9] = byte('0' + (10-sum%10)%10)
	w.arr("identifier")
	w.elem()
	w.str("system", npiSystem)
	w.str("value", string(d[:]))
	w.end('}')
	w.end(']')
}

// phone writes one phone ContactPoint element with a fictional 555 number.
func phone(w *jw, r *rand.Rand, use string) {
	var b [16]byte
	n := strconv.AppendInt(b[:0], int64(200+r.IntN(800)), 10)
	n = append(n, "-555-01"...)
	n = appendDigits(n, r.IntN(100), 2)
	w.elem()
	w.str("system", "phone")
	w.key("value")
	w.b = append(w.b, '"', '+', '1', '-')
	w.b = append(w.b, n...)
	w.b = append(w.b, '"')
	w.str("use", use)
	w.end('}')
}

// address writes one Address element in pl.
func address(w *jw, r *rand.Rand, pl *place, use string) {
	w.elem()
	w.str("use", use)
	w.arr("line")
	w.sep()
	w.b = append(w.b, '"')
	w.b = strconv.AppendInt(w.b, int64(1+r.IntN(9899)), 10)
	w.b = append(w.b, ' ')
	w.b = append(w.b, streets[r.IntN(len(streets))]...)
	w.b = append(w.b, '"')
	if r.IntN(5) == 0 {
		w.sep()
		w.b = append(w.b, `"Apt `...)
		w.b = strconv.AppendInt(w.b, int64(1+r.IntN(40)), 10)
		w.b = append(w.b, "ABCD"[r.IntN(4)], '"')
	}
	w.end(']')
	w.str("city", pl.city)
	w.str("state", pl.state)
	w.key("postalCode")
	w.b = append(w.b, '"')
	w.b = append(w.b, pl.zip...)
	w.b = appendDigits(w.b, r.IntN(100), 2)
	w.b = append(w.b, '"')
	w.str("country", "US")
	w.end('}')
}
