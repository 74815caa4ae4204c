package gen

import "math/rand/v2"

// kind is a generated resource type; kBundle is the transaction Bundle of
// one patient.
type kind uint8

const (
	kOrganization kind = iota
	kPractitioner
	kSchedule
	kPatient
	kEncounter
	kObservation
	kCondition
	kSlot
	kAppointment
	kBundle
	nKinds
)

// kindNames are the FHIR type names of the kinds, in output order.
var kindNames = [nKinds]string{
	"Organization", "Practitioner", "Schedule", "Patient", "Encounter",
	"Observation", "Condition", "Slot", "Appointment", "Bundle",
}

// uid is a 128-bit id, written as a version 4 UUID.
type uid struct{ hi, lo uint64 }

// mix64 is the splitmix64 finalizer: a bijection on 64 bits whose output
// bits all depend on all input bits.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// id returns the id of resource seq of patient (or shared index) a of kind
// k. Packing a and seq into one word and mixing it with the kind's salt is
// a bijection, so two resources of one kind never share the high half; the
// low half is a further hash of it.
func (g *Generator) id(k kind, a, seq int) uid {
	hi := mix64(g.salt[k] ^ (uint64(a)<<32 | uint64(uint32(seq))))
	return uid{hi: hi, lo: mix64(hi ^ 0x9e3779b97f4a7c15)}
}

// rng reseeds r with the stream of patient i, or of shared resource i of
// kind k when shared is set. Seeding from a hash of the index rather than
// drawing from one sequence keeps patient i the same for any worker count.
func (g *Generator) rng(pcg *rand.PCG, k kind, i int, shared bool) {
	salt := g.salt[nKinds]
	if shared {
		salt = g.salt[k]
	}
	s1 := mix64(salt ^ ^uint64(i))
	pcg.Seed(s1, mix64(s1^salt))
}

// text formats u in the 8-4-4-4-12 form with the version 4 and RFC 4122
// variant bits set.
func (u uid) text() (s [36]byte) {
	hi := u.hi&^0xf000 | 0x4000
	lo := u.lo&^(3<<62) | 2<<62
	for i, j := 0, 0; i < 16; i++ {
		half := hi
		if i >= 8 {
			half = lo
		}
		v := byte(half >> (56 - 8*(i%8)))
		if i == 4 || i == 6 || i == 8 || i == 10 {
			s[j] = '-'
			j++
		}
		s[j], s[j+1] = hexDigits[v>>4], hexDigits[v&0xf]
		j += 2
	}
	return s
}

// appendUUID appends u as text.
func appendUUID(b []byte, u uid) []byte {
	s := u.text()
	return append(b, s[:]...)
}

// mark locates one rendered resource in a batch.
type mark struct {
	k          kind
	id         uid
	start, end int
}

// batch collects rendered resources, one NDJSON buffer per kind. With
// keep set it also remembers where each resource is, for Patient and
// Bundle.
type batch struct {
	parts [nKinds]jw
	count [nKinds]int
	marks []mark
	keep  bool
	open  mark
}

// reset empties b, keeping its buffers.
func (b *batch) reset(keep bool) {
	for k := range b.parts {
		b.parts[k].b = b.parts[k].b[:0]
		b.count[k] = 0
	}
	b.marks, b.keep = b.marks[:0], keep
}

// begin starts a resource of kind k and returns the writer to render it
// with; done finishes it. The id is written unless urn is set, for a Bundle
// entry that the server names.
func (b *batch) begin(k kind, id uid, urn bool) *jw {
	w := &b.parts[k]
	b.open = mark{k: k, id: id, start: len(w.b)}
	w.b = append(w.b, '{')
	w.str("resourceType", kindNames[k])
	if !urn {
		w.key("id")
		w.b = append(w.b, '"')
		w.b = appendUUID(w.b, id)
		w.b = append(w.b, '"')
	}
	return w
}

// ref writes the Reference member key to the resource of kind t with id:
// "Type/<id>", or "urn:uuid:<id>" with urn set.
func (w *jw) ref(key string, t kind, id uid, urn bool) {
	w.key(key)
	w.refObj(t, id, urn)
}

// refElem writes such a Reference as an array element.
func (w *jw) refElem(t kind, id uid, urn bool) {
	w.sep()
	w.refObj(t, id, urn)
}

func (w *jw) refObj(t kind, id uid, urn bool) {
	s := id.text()
	w.refText(t, &s, urn)
}

// refText writes a Reference object to an id already formatted: a
// patient's resources refer to the patient and its encounters dozens of
// times, and formatting a UUID costs more than copying it.
func (w *jw) refText(t kind, id *[36]byte, urn bool) {
	w.b = append(w.b, `{"reference":"`...)
	if urn {
		w.b = append(w.b, "urn:uuid:"...)
	} else {
		w.b = append(w.b, kindNames[t]...)
		w.b = append(w.b, '/')
	}
	w.b = append(w.b, id[:]...)
	w.b = append(w.b, '"', '}')
}

// done closes the resource begin started and ends its line.
func (b *batch) done() {
	w := &b.parts[b.open.k]
	w.end('}')
	b.open.end = len(w.b)
	w.b = append(w.b, '\n')
	b.count[b.open.k]++
	if b.keep {
		b.marks = append(b.marks, b.open)
	}
}

// resources copies out the resources b kept.
func (b *batch) resources() []Resource {
	out := make([]Resource, len(b.marks))
	for i, m := range b.marks {
		body := b.parts[m.k].b[m.start:m.end]
		out[i] = Resource{
			Type: kindNames[m.k],
			ID:   string(appendUUID(nil, m.id)),
			JSON: append([]byte(nil), body...),
		}
	}
	return out
}

// bundle appends the transaction Bundle of the resources b kept to dst.
func (b *batch) bundle(dst []byte) []byte {
	w := jw{b: dst}
	w.b = append(w.b, '{')
	w.str("resourceType", "Bundle")
	w.str("type", "transaction")
	w.arr("entry")
	for _, m := range b.marks {
		w.elem()
		w.key("fullUrl")
		w.b = append(w.b, `"urn:uuid:`...)
		w.b = appendUUID(w.b, m.id)
		w.b = append(w.b, '"')
		w.key("resource")
		w.b = append(w.b, b.parts[m.k].b[m.start:m.end]...)
		w.obj("request")
		w.str("method", "POST")
		w.str("url", kindNames[m.k])
		w.end('}')
		w.end('}')
	}
	w.end(']')
	w.end('}')
	return w.b
}
