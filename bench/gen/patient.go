package gen

import (
	"math/rand/v2"
	"strconv"
)

// patientGen renders one patient at a time and everything that belongs to
// it. It is reused from patient to patient so that streaming allocates
// nothing per patient beyond what its buffers grow by.
type patientGen struct {
	g   *Generator
	pcg rand.PCG
	r   *rand.Rand
	urn bool // render for a transaction Bundle

	i            int
	id           uid
	idText       [36]byte
	birth        int64
	female       bool
	gp           int     // the general practitioner
	height       float64 // adult height in cm
	weight       float64 // adult weight in kg
	diabetic     bool
	hypertensive bool
	conds        []int // indexes into conditions
	encs         []encounter
	perm         [nObsKinds]uint8
}

// encounter is what observations and conditions need to know of one.
type encounter struct {
	id         uid
	text       [36]byte // id formatted
	start, end int64    // end is 0 while the encounter is in progress
	prac       int
}

func newPatientGen(g *Generator) *patientGen {
	p := &patientGen{g: g}
	p.r = rand.New(&p.pcg)
	return p
}

// run renders patient i into b.
func (p *patientGen) run(b *batch, i int, urn bool) {
	p.i, p.urn = i, urn
	p.g.rng(&p.pcg, kPatient, i, false)
	p.id = p.g.id(kPatient, i, 0)
	p.idText = p.id.text()
	p.patient(b)
	p.planConditions()
	p.encounters(b)
	p.observations(b)
	p.conditionsOut(b)
	p.appointments(b)
}

// ref writes a reference to a resource of this patient: literal, or a
// urn:uuid inside a Bundle.
func (p *patientGen) ref(w *jw, key string, k kind, id *[36]byte) {
	w.key(key)
	w.refText(k, id, p.urn)
}

// patient renders the Patient resource and draws the facts later resources
// depend on.
func (p *patientGen) patient(b *batch) {
	r, g := p.r, p.g
	w := b.begin(kPatient, p.id, p.urn)
	gender := drawGender(r)
	p.female = gender == "female" || (gender != "male" && r.IntN(2) == 0)
	p.birth = g.ref - int64(r.IntN(100*365)+1)*day + int64(r.IntN(day))
	p.height = 176 + r.NormFloat64()*7
	if p.female {
		p.height -= 13
	}
	p.weight = clamp(24*(1+r.NormFloat64()*0.18), 16, 45) * p.height * p.height / 10000
	p.gp = r.IntN(g.pracs)
	p.identifiers(w)
	w.raw("active", "true")
	c, given, family := drawName(r, p.female)
	w.arr("name")
	humanName(w, c, given, family, "")
	w.end(']')
	p.telecom(w, given[len(given)-1], family)
	w.str("gender", gender)
	w.date("birthDate", p.birth)
	w.arr("address")
	address(w, r, &places[r.IntN(len(places))], "home")
	w.end(']')
	if g.ref-p.birth > 18*year {
		m := []string{"M", "Married", "S", "Never Married", "D", "Divorced", "W", "Widowed"}[2*r.IntN(4):]
		w.concept("maritalStatus", marital, m[0], m[1], "")
	}
	w.arr("communication")
	w.elem()
	w.concept("language", bcp47, c.lang, c.langName, "")
	w.raw("preferred", "true")
	w.end('}')
	w.end(']')
	w.arr("generalPractitioner")
	w.refElem(kPractitioner, g.id(kPractitioner, p.gp, 0), false)
	w.end(']')
	w.ref("managingOrganization", kOrganization, g.id(kOrganization, p.gp%g.orgs, 0), false)
	b.done()
}

// identifiers writes the MRN and the SSN. MRNs are an offset index, so
// they are unique within a dataset.
func (p *patientGen) identifiers(w *jw) {
	r := p.r
	w.arr("identifier")
	w.elem()
	w.str("use", "usual")
	w.concept("type", v2IDType, "MR", "Medical record number", "")
	w.str("system", mrnSystem)
	w.key("value")
	w.b = append(w.b, `"M`...)
	w.b = appendDigits(w.b, int((uint64(p.i)+p.g.salt[kPatient]%1e8)%1e9), 9)
	w.b = append(w.b, '"')
	w.end('}')
	w.elem()
	w.str("use", "official")
	w.concept("type", v2IDType, "SS", "Social Security number", "")
	w.str("system", ssnSystem)
	w.key("value")
	w.b = append(w.b, '"')
	w.b = appendDigits(w.b, 1+r.IntN(665), 3)
	w.b = append(w.b, '-')
	w.b = appendDigits(w.b, 1+r.IntN(99), 2)
	w.b = append(w.b, '-')
	w.b = appendDigits(w.b, 1+r.IntN(9999), 4)
	w.b = append(w.b, '"')
	w.end('}')
	w.end(']')
}

// telecom writes a phone and, for most adults, an e-mail address.
func (p *patientGen) telecom(w *jw, given, family string) {
	r := p.r
	w.arr("telecom")
	phone(w, r, []string{"home", "mobile"}[r.IntN(2)])
	if p.g.ref-p.birth > 16*year && r.IntN(10) < 6 {
		w.elem()
		w.str("system", "email")
		w.key("value")
		w.b = append(w.b, '"')
		w.b = append(w.b, emailNames[given]...)
		w.b = append(w.b, '.')
		w.b = append(w.b, emailNames[family]...)
		w.b = strconv.AppendInt(w.b, int64(r.IntN(100)), 10)
		w.b = append(w.b, "@example.com\""...)
		w.end('}')
	}
	w.end(']')
}

// drawGender draws an administrative gender in roughly the proportions a
// registry records them.
func drawGender(r *rand.Rand) string {
	switch n := r.IntN(1000); {
	case n < 490:
		return "male"
	case n < 985:
		return "female"
	case n < 990:
		return "other"
	}
	return "unknown"
}

// drawName draws a culture and a name from it: one or two given names (a
// Vietnamese name carries its middle name as the first given name) and a
// family name, sometimes double.
func drawName(r *rand.Rand, female bool) (*culture, []string, string) {
	n := r.IntN(cultureTotal)
	c := &cultures[0]
	for k := range cultures {
		if n < cultures[k].weight {
			c = &cultures[k]
			break
		}
		n -= cultures[k].weight
	}
	names, middle := c.male, c.middleM
	if female {
		names, middle = c.female, c.middleF
	}
	given := make([]string, 0, 2)
	if middle != "" {
		given = append(given, middle)
	} else if r.IntN(100) < 35 {
		given = append(given, names[r.IntN(len(names))])
	}
	given = append(given, names[r.IntN(len(names))])
	family := c.family[r.IntN(len(c.family))]
	if c.lang == "es" && r.IntN(100) < 30 {
		family += " " + c.family[r.IntN(len(c.family))]
	}
	return c, given, family
}

// humanName writes one official HumanName element with its text in the
// culture's order.
func humanName(w *jw, c *culture, given []string, family, prefix string) {
	w.elem()
	w.str("use", "official")
	w.key("text")
	text := make([]byte, 0, 64)
	if prefix != "" {
		text = append(append(text, prefix...), ' ')
	}
	if c.familyFirst {
		text = append(append(text, family...), ' ')
	}
	for k, n := range given {
		if k > 0 {
			text = append(text, ' ')
		}
		text = append(text, n...)
	}
	if !c.familyFirst {
		text = append(append(text, ' '), family...)
	}
	w.quote(string(text))
	w.str("family", family)
	w.arr("given")
	for _, n := range given {
		w.elemStr(n)
	}
	w.end(']')
	if prefix != "" {
		w.arr("prefix")
		w.elemStr(prefix)
		w.end(']')
	}
	w.end('}')
}
