package gen

import (
	"math"
	"slices"
)

// obsKind is an observation the generator draws: a LOINC code, its UCUM
// unit, how many decimals its values carry, and how a value is drawn. A nil
// value is the blood pressure panel, whose values are its components.
type obsKind struct {
	code, display string
	lab           bool
	unit, ucum    string
	prec          int
	value         func(p *patientGen, age float64) float64
}

// nObsKinds is how many observation kinds there are.
const nObsKinds = 15

var obsKinds = [nObsKinds]obsKind{
	{"8867-4", "Heart rate", false, "beats/minute", "/min", 0, func(p *patientGen, age float64) float64 {
		return clamp(75+p.r.NormFloat64()*12+max(0, 12-age)*3, 40, 180)
	}},
	{"8310-5", "Body temperature", false, "°C", "Cel", 1, func(p *patientGen, _ float64) float64 {
		return clamp(36.8+p.r.NormFloat64()*0.45, 35, 41.5)
	}},
	{"29463-7", "Body weight", false, "kg", "kg", 1, func(p *patientGen, age float64) float64 {
		return p.weight * math.Pow(growth(age), 2.5) * (1 + p.r.NormFloat64()*0.02)
	}},
	{"8302-2", "Body height", false, "cm", "cm", 1, func(p *patientGen, age float64) float64 {
		return p.height * growth(age)
	}},
	{"39156-5", "Body mass index (BMI) [Ratio]", false, "kg/m2", "kg/m2", 1, func(p *patientGen, age float64) float64 {
		h := p.height * growth(age) / 100
		return p.weight * math.Pow(growth(age), 2.5) / (h * h)
	}},
	{"9279-1", "Respiratory rate", false, "breaths/minute", "/min", 0, func(p *patientGen, _ float64) float64 {
		return clamp(16+p.r.NormFloat64()*2.5, 8, 40)
	}},
	{"59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", false, "%", "%", 0, func(p *patientGen, _ float64) float64 {
		return clamp(97.5+p.r.NormFloat64()*1.5, 85, 100)
	}},
	{"85354-9", "Blood pressure panel with all children optional", false, "", "", 0, nil},
	{"2339-0", "Glucose [Mass/volume] in Blood", true, "mg/dL", "mg/dL", 0, func(p *patientGen, _ float64) float64 {
		return clamp(95+b2f(p.diabetic)*60+p.r.NormFloat64()*15, 45, 450)
	}},
	{"4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", true, "%", "%", 1, func(p *patientGen, _ float64) float64 {
		return clamp(5.4+b2f(p.diabetic)*2.2+p.r.NormFloat64()*0.4, 4, 14)
	}},
	{"2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", true, "mg/dL", "mg/dL", 0, func(p *patientGen, _ float64) float64 {
		return clamp(190+p.r.NormFloat64()*35, 100, 400)
	}},
	{"2160-0", "Creatinine [Mass/volume] in Serum or Plasma", true, "mg/dL", "mg/dL", 2, func(p *patientGen, _ float64) float64 {
		return clamp(0.95+p.r.NormFloat64()*0.2, 0.4, 6)
	}},
	{"718-7", "Hemoglobin [Mass/volume] in Blood", true, "g/dL", "g/dL", 1, func(p *patientGen, _ float64) float64 {
		return clamp(14-b2f(p.female)+p.r.NormFloat64()*1.2, 7, 20)
	}},
	{"6690-2", "Leukocytes [#/volume] in Blood by Automated count", true, "10*3/uL", "10*3/uL", 1, func(p *patientGen, _ float64) float64 {
		return clamp(7+p.r.NormFloat64()*1.8, 2, 25)
	}},
	{"777-3", "Platelets [#/volume] in Blood by Automated count", true, "10*3/uL", "10*3/uL", 0, func(p *patientGen, _ float64) float64 {
		return clamp(250+p.r.NormFloat64()*55, 50, 600)
	}},
}

func clamp(v, lo, hi float64) float64 { return min(max(v, lo), hi) }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// growth is the share of adult height reached at age (in years).
func growth(age float64) float64 {
	if age >= 18 {
		return 1
	}
	return 0.3 + 0.7*max(age, 0)/18
}

// encounters draws and renders the patient's encounters, oldest first:
// finished ones over the last ten years (or the patient's life), and with
// some chance a last one still in progress, whose period has no end.
func (p *patientGen) encounters(b *batch) {
	r, g := p.r, p.g
	n := 3 + r.IntN(6) + r.IntN(6) + r.IntN(4)
	if r.IntN(10) == 0 {
		n += r.IntN(5)
	}
	lo := max(p.birth, g.ref-10*year)
	hi := max(lo+3600, g.ref-8*day)
	p.encs = p.encs[:0]
	for range n {
		p.encs = append(p.encs, encounter{start: lo + r.Int64N(hi-lo)/300*300})
	}
	slices.SortFunc(p.encs, func(a, b encounter) int { return int(a.start - b.start) })
	openStart := g.ref - 3600 - r.Int64N(3*day)/300*300
	open := r.IntN(4) == 0 && openStart > p.birth
	for e := range p.encs {
		enc := &p.encs[e]
		enc.id = g.id(kEncounter, p.i, e)
		enc.text = enc.id.text()
		c := p.drawClass()
		if c.code != "EMER" && c.code != "IMP" {
			// Scheduled care happens in the daytime: squeeze the time of
			// day into 08:00–18:00.
			tod := (enc.start%day + day) % day
			enc.start += 8*3600 + tod*10/24/300*300 - tod
		}
		length := int64(c.minLen+r.IntN(c.maxLen-c.minLen+1)) * 60
		if open && e == len(p.encs)-1 {
			enc.start = openStart
		} else {
			enc.end = enc.start + length
		}
		enc.prac = p.gp
		if r.IntN(10) >= 7 {
			enc.prac = r.IntN(g.pracs)
		}
		p.encounter(b, enc, c, &c.types[r.IntN(len(c.types))])
	}
}

// drawClass draws an encounter class by its weight.
func (p *patientGen) drawClass() *encClass {
	n := p.r.IntN(1000)
	for k := range encClasses {
		if n < encClasses[k].weight {
			return &encClasses[k]
		}
		n -= encClasses[k].weight
	}
	return &encClasses[0]
}

// encounter renders one Encounter.
func (p *patientGen) encounter(b *batch, e *encounter, c *encClass, t *snomedCode) {
	g := p.g
	w := b.begin(kEncounter, e.id, p.urn)
	if e.end == 0 {
		w.str("status", "in-progress")
	} else {
		w.str("status", "finished")
	}
	w.obj("class")
	w.str("system", actCode)
	w.str("code", c.code)
	w.str("display", c.display)
	w.end('}')
	w.concepts("type", snomed, t.code, t.display)
	p.ref(w, "subject", kPatient, &p.idText)
	w.arr("participant")
	w.elem()
	w.concepts("type", partType, "PPRF", "primary performer")
	w.ref("individual", kPractitioner, g.id(kPractitioner, e.prac, 0), false)
	w.end('}')
	w.end(']')
	w.period("period", e.start, e.end)
	w.ref("serviceProvider", kOrganization, g.id(kOrganization, e.prac%g.orgs, 0), false)
	b.done()
}

// observations renders two to eight distinct observations per encounter.
func (p *patientGen) observations(b *batch) {
	r, seq := p.r, 0
	for e := range p.encs {
		for k := range p.perm {
			p.perm[k] = uint8(k)
		}
		n := 2 + r.IntN(4) + r.IntN(4)
		for j := range n {
			k := j + r.IntN(len(p.perm)-j)
			p.perm[j], p.perm[k] = p.perm[k], p.perm[j]
			p.observation(b, &p.encs[e], &obsKinds[p.perm[j]], seq)
			seq++
		}
	}
}

// observation renders observation seq of kind k, taken during e.
func (p *patientGen) observation(b *batch, e *encounter, k *obsKind, seq int) {
	r, g := p.r, p.g
	w := b.begin(kObservation, g.id(kObservation, p.i, seq), p.urn)
	switch n := r.IntN(100); {
	case n < 3:
		w.str("status", "amended")
	case n < 5:
		w.str("status", "preliminary")
	default:
		w.str("status", "final")
	}
	if k.lab {
		w.concepts("category", obsCategory, "laboratory", "Laboratory")
	} else {
		w.concepts("category", obsCategory, "vital-signs", "Vital Signs")
	}
	w.concept("code", loinc, k.code, k.display, k.display)
	p.ref(w, "subject", kPatient, &p.idText)
	p.ref(w, "encounter", kEncounter, &e.text)
	end := e.end
	if end == 0 {
		end = g.ref
	}
	t := e.start + r.Int64N(max(end-e.start, 1))/60*60
	if r.IntN(100) < 5 {
		w.period("effectivePeriod", t, min(end, t+900))
	} else {
		w.dateTime("effectiveDateTime", t)
	}
	if !k.lab {
		w.arr("performer")
		w.refElem(kPractitioner, g.id(kPractitioner, e.prac, 0), false)
		w.end(']')
	}
	if k.value == nil {
		p.bloodPressure(w)
	} else {
		age := float64(t-p.birth) / year
		w.quantity("valueQuantity", k.value(p, age), k.prec, k.unit, k.ucum)
	}
	b.done()
}

// bloodPressure writes the systolic and diastolic components of a blood
// pressure panel, higher for hypertensive patients.
func (p *patientGen) bloodPressure(w *jw) {
	r, h := p.r, b2f(p.hypertensive)
	sys := clamp(118+h*18+r.NormFloat64()*13, 80, 220)
	dia := clamp(min(sys-20, 76+h*9+r.NormFloat64()*8), 40, 130)
	w.arr("component")
	for _, c := range [2]struct {
		code, display string
		v             float64
	}{{"8480-6", "Systolic blood pressure", sys}, {"8462-4", "Diastolic blood pressure", dia}} {
		w.elem()
		w.concept("code", loinc, c.code, c.display, "")
		w.quantity("valueQuantity", c.v, 0, "mm[Hg]", "mm[Hg]")
		w.end('}')
	}
	w.end(']')
}
