package gen

// planConditions draws one to four distinct conditions before the
// encounters, so that observation values can follow them (a diabetic's
// glucose, a hypertensive's blood pressure).
func (p *patientGen) planConditions() {
	r := p.r
	n := 1 + r.IntN(2) + r.IntN(3)
	p.conds = p.conds[:0]
	p.diabetic, p.hypertensive = false, false
	for try := 0; len(p.conds) < n && try < 2*n; try++ {
		c := drawCondition(r.IntN(conditionTotal))
		if containsInt(p.conds, c) {
			continue
		}
		p.conds = append(p.conds, c)
		switch conditions[c].code {
		case "44054006":
			p.diabetic = true
		case "38341003":
			p.hypertensive = true
		}
	}
}

// drawCondition returns the condition that weight n falls on.
func drawCondition(n int) int {
	for k := range conditions {
		if n < conditions[k].weight {
			return k
		}
		n -= conditions[k].weight
	}
	return 0
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// conditionsOut renders the planned conditions, each recorded at one of
// the encounters. A chronic condition started up to five years before it
// was recorded and stays active; an acute one started then and has mostly
// resolved within three weeks.
func (p *patientGen) conditionsOut(b *batch) {
	r, g := p.r, p.g
	for seq, ci := range p.conds {
		c := &conditions[ci]
		e := &p.encs[r.IntN(len(p.encs))]
		w := b.begin(kCondition, g.id(kCondition, p.i, seq), p.urn)
		onset, abated := e.start, int64(0)
		status, statusName := "active", "Active"
		if c.chronic {
			onset = max(p.birth, e.start-r.Int64N(5*year)/day*day)
			if r.IntN(10) == 0 {
				status, statusName = "inactive", "Inactive"
			}
		} else if end := e.start + int64(3+r.IntN(19))*day; r.IntN(10) < 8 && end < g.ref {
			status, statusName, abated = "resolved", "Resolved", end
		}
		w.concept("clinicalStatus", condClin, status, statusName, "")
		switch n := r.IntN(100); {
		case n < 90:
			w.concept("verificationStatus", condVer, "confirmed", "Confirmed", "")
		case n < 97:
			w.concept("verificationStatus", condVer, "provisional", "Provisional", "")
		default:
			w.concept("verificationStatus", condVer, "differential", "Differential", "")
		}
		if c.chronic {
			w.concepts("category", condCat, "problem-list-item", "Problem List Item")
		} else {
			w.concepts("category", condCat, "encounter-diagnosis", "Encounter Diagnosis")
		}
		w.concept("code", snomed, c.code, c.display, "")
		p.ref(w, "subject", kPatient, &p.idText)
		p.ref(w, "encounter", kEncounter, &e.text)
		w.dateTime("onsetDateTime", onset)
		if abated != 0 {
			w.dateTime("abatementDateTime", abated)
		}
		w.date("recordedDate", e.start)
		w.ref("recorder", kPractitioner, g.id(kPractitioner, e.prac, 0), false)
		b.done()
	}
}

// apptTypes are the v2-0276 appointment reasons drawn from.
var apptTypes = [...][2]string{
	{"ROUTINE", "Routine appointment - default if not valued"},
	{"FOLLOWUP", "A follow up visit from a previous appointment"},
	{"CHECKUP", "A routine check-up, such as an annual physical"},
	{"WALKIN", "A previously unscheduled walk-in visit"},
}

// booking is one drawn appointment.
type booking struct {
	seq, prac  int
	start, end int64
	mins       int
	status     string
}

// appointments renders one to three appointments in office hours between
// a year before and three months after the reference date, each with the
// Slot it books in its practitioner's Schedule. Past ones were fulfilled,
// missed or cancelled; future ones are booked or cancelled.
func (p *patientGen) appointments(b *batch) {
	r, g := p.r, p.g
	n := 1 + r.IntN(3)
	for a := range n {
		bk := booking{seq: a, prac: p.gp}
		if r.IntN(5) == 0 {
			bk.prac = r.IntN(g.pracs)
		}
		bk.start = g.ref - g.ref%day + int64(r.IntN(455)-365)*day + 8*3600 + int64(r.IntN(36))*900
		bk.mins = [...]int{15, 20, 30, 45, 60}[r.IntN(5)]
		bk.end = bk.start + int64(bk.mins)*60
		bk.status = "booked"
		switch n := r.IntN(100); {
		case bk.start < g.ref && n < 70:
			bk.status = "fulfilled"
		case bk.start < g.ref && n < 78:
			bk.status = "noshow"
		case bk.start < g.ref || n < 15:
			bk.status = "cancelled"
		}
		slot := g.id(kSlot, p.i, a).text()
		p.slot(b, &bk)
		p.appointment(b, &bk, &slot)
	}
}

// slot renders the Slot of bk, busy unless the appointment was cancelled.
func (p *patientGen) slot(b *batch, bk *booking) {
	g := p.g
	w := b.begin(kSlot, g.id(kSlot, p.i, bk.seq), p.urn)
	w.ref("schedule", kSchedule, g.id(kSchedule, bk.prac, 0), false)
	if bk.status == "cancelled" {
		w.str("status", "free")
	} else {
		w.str("status", "busy")
	}
	w.dateTime("start", bk.start)
	w.dateTime("end", bk.end)
	b.done()
}

// appointment renders the Appointment of bk, which books slot.
func (p *patientGen) appointment(b *batch, bk *booking, slot *[36]byte) {
	r, g := p.r, p.g
	w := b.begin(kAppointment, g.id(kAppointment, p.i, bk.seq), p.urn)
	w.str("status", bk.status)
	t := &apptTypes[r.IntN(len(apptTypes))]
	w.concept("appointmentType", v2ApptType, t[0], t[1], "")
	w.dateTime("start", bk.start)
	w.dateTime("end", bk.end)
	w.int("minutesDuration", bk.mins)
	w.arr("slot")
	w.sep()
	w.refText(kSlot, slot, p.urn)
	w.end(']')
	w.dateTime("created", min(bk.start, g.ref)-int64(1+r.IntN(60))*day)
	w.arr("participant")
	pt := g.id(kPractitioner, bk.prac, 0).text()
	p.participant(w, kPatient, &p.idText, p.urn)
	p.participant(w, kPractitioner, &pt, false)
	w.end(']')
	b.done()
}

// participant writes an accepted, required appointment participant.
func (p *patientGen) participant(w *jw, k kind, id *[36]byte, urn bool) {
	w.elem()
	w.key("actor")
	w.refText(k, id, urn)
	w.str("required", "required")
	w.str("status", "accepted")
	w.end('}')
}
