package gen

import "strings"

// Code systems and value sets the generated resources draw from.
const (
	ucum        = "http://unitsofmeasure.org"
	loinc       = "http://loinc.org"
	snomed      = "http://snomed.info/sct"
	v2IDType    = "http://terminology.hl7.org/CodeSystem/v2-0203"
	v2Degree    = "http://terminology.hl7.org/CodeSystem/v2-0360"
	v2ApptType  = "http://terminology.hl7.org/CodeSystem/v2-0276"
	actCode     = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	partType    = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
	marital     = "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus"
	obsCategory = "http://terminology.hl7.org/CodeSystem/observation-category"
	condClin    = "http://terminology.hl7.org/CodeSystem/condition-clinical"
	condVer     = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
	condCat     = "http://terminology.hl7.org/CodeSystem/condition-category"
	orgType     = "http://terminology.hl7.org/CodeSystem/organization-type"
	bcp47       = "urn:ietf:bcp:47"
	mrnSystem   = "http://hospital.example.org/mrn"
	ssnSystem   = "http://hl7.org/fhir/sid/us-ssn"
	npiSystem   = "http://hl7.org/fhir/sid/us-npi"
)

// culture is a naming tradition: given names by sex, family names, the
// language its speakers prefer, and how often it is drawn (per mille).
type culture struct {
	weight           int
	female, male     []string
	family           []string
	lang, langName   string
	familyFirst      bool   // the family name is written first (Vietnamese)
	middleF, middleM string // a conventional middle name, if any
}

var cultures = []culture{
	{weight: 380, lang: "en", langName: "English",
		female: []string{"Emily", "Olivia", "Grace", "Charlotte", "Sarah", "Siobhán", "Niamh", "Abigail", "Zoë", "Hannah"},
		male:   []string{"James", "William", "Oliver", "Liam", "Thomas", "Patrick", "Seán", "Daniel", "Michael", "Noah"},
		family: []string{"Smith", "Johnson", "Williams", "Brown", "Taylor", "O'Brien", "O'Connor", "McAllister", "Fitzgerald", "Davies", "Walsh", "Miller"}},
	{weight: 250, lang: "es", langName: "Spanish",
		female: []string{"María", "Lucía", "Sofía", "Ana", "Inés", "Paula", "Ximena", "Mónica", "Begoña", "Valentina"},
		male:   []string{"José", "Juan", "Jesús", "Álvaro", "Andrés", "Sebastián", "Martín", "Íñigo", "Ramón", "Joaquín"},
		family: []string{"García", "Fernández", "López", "Martínez", "Rodríguez", "Sánchez", "Pérez", "Gómez", "Núñez", "Muñoz", "Jiménez", "Ibáñez", "Peña", "García-Márquez"}},
	{weight: 100, lang: "fr", langName: "French",
		female: []string{"Chloé", "Léa", "Inès", "Camille", "Océane", "Hélène", "Maëlle", "Anaïs", "Zoë", "Aurélie"},
		male:   []string{"François", "Jérôme", "Théo", "Noël", "Loïc", "Benoît", "Gaël", "Étienne", "Raphaël", "Jean-Luc"},
		family: []string{"Dubois", "Lefèvre", "Moreau", "Girard", "Rousseau", "Lemaître", "Faure", "Mercier", "Chénier", "Gauthier", "Lévêque"}},
	{weight: 100, lang: "de", langName: "German",
		female: []string{"Anneliese", "Käthe", "Lena", "Hannah", "Charlotte", "Marlene", "Jördis", "Brünhilde", "Ursula", "Greta"},
		male:   []string{"Jürgen", "Jörg", "Günter", "Lukas", "Maximilian", "Matthias", "Uwe", "Björn", "Klaus", "Dieter"},
		family: []string{"Müller", "Schröder", "Schäfer", "Weiß", "Köhler", "Groß", "Krüger", "Schmidt", "Becker", "Hoffmann", "Weber", "Fuchs"}},
	{weight: 90, lang: "vi", langName: "Vietnamese", familyFirst: true, middleF: "Thị", middleM: "Văn",
		female: []string{"Hương", "Thảo", "Linh", "Ngọc", "Phương", "Anh", "Trang", "Mai", "Hằng", "Yến"},
		male:   []string{"Minh", "Đức", "Quang", "Tuấn", "Hùng", "Dũng", "Khoa", "Long", "Phúc", "Thắng"},
		family: []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"}},
	{weight: 80, lang: "da", langName: "Danish",
		female: []string{"Åsa", "Sigrid", "Ingrid", "Solveig", "Maja", "Freja", "Astrid", "Birgitte", "Signe", "Kirsten"},
		male:   []string{"Søren", "Bjørn", "Øystein", "Håkon", "Anders", "Lars", "Mikael", "Jónas", "Æbbe", "Morten"},
		family: []string{"Jørgensen", "Sørensen", "Østergaard", "Åberg", "Lindqvist", "Nyström", "Håkansson", "Andersson", "Johansson", "Bjørklund"}},
}

// cultureTotal is the sum of the culture weights.
var cultureTotal = func() int {
	n := 0
	for _, c := range cultures {
		n += c.weight
	}
	return n
}()

// folds spells the non-ASCII letters of the name tables in ASCII, as
// "letter=spelling" pairs.
const folds = "á=a à=a â=a ä=a ã=a å=a ả=a ạ=a ằ=a ắ=a ă=a ẫ=a ậ=a ấ=a ầ=a æ=ae " +
	"é=e è=e ê=e ë=e ế=e ễ=e ệ=e ề=e í=i ï=i î=i ị=i ĩ=i ì=i " +
	"ó=o ò=o ô=o ö=o ø=o ọ=o ỗ=o ơ=o ờ=o ộ=o ố=o ồ=o ỏ=o õ=o " +
	"ú=u ü=u ù=u ũ=u ư=u ứ=u ụ=u ủ=u ữ=u ự=u ừ=u ử=u ñ=n ç=c ß=ss đ=d ỳ=y ý=y ỹ=y"

// emailNames maps every name of the tables to the ASCII letters an e-mail
// address spells it with, computed once so that patients cost a lookup.
var emailNames = func() map[string]string {
	var pairs []string
	for _, f := range strings.Fields(folds) {
		from, to, _ := strings.Cut(f, "=")
		pairs = append(pairs, from, to)
	}
	fold := strings.NewReplacer(pairs...)
	m := map[string]string{}
	for _, c := range cultures {
		for _, names := range [][]string{c.female, c.male, c.family} {
			for _, n := range names {
				m[n] = strings.Map(func(r rune) rune {
					if r >= 'a' && r <= 'z' {
						return r
					}
					return -1
				}, fold.Replace(strings.ToLower(n)))
			}
		}
	}
	return m
}()

// place is a city with its state and the first digits of its ZIP codes.
type place struct{ city, state, zip string }

var places = []place{
	{"Boston", "MA", "021"}, {"Chicago", "IL", "606"}, {"Houston", "TX", "770"},
	{"Miami", "FL", "331"}, {"San José", "CA", "951"}, {"Seattle", "WA", "981"},
	{"New York", "NY", "100"}, {"Los Angeles", "CA", "900"}, {"Denver", "CO", "802"},
	{"Minneapolis", "MN", "554"}, {"Santa Fe", "NM", "875"}, {"Phoenix", "AZ", "850"},
	{"Atlanta", "GA", "303"}, {"Coeur d'Alene", "ID", "838"}, {"Española", "NM", "875"},
	{"New Orleans", "LA", "701"}, {"St. Paul", "MN", "551"}, {"Portland", "OR", "972"},
}

var streets = []string{
	"Main Street", "Oak Avenue", "Maple Drive", "Elm Street", "Lakeview Terrace",
	"Washington Boulevard", "Peachtree Road", "Calle Ocho", "Rue Royale", "Cedar Lane",
	"Avenida de la Paz", "Birchwood Court", "Mission Street", "Harbor View Road",
}

var orgSuffixes = []string{
	"General Hospital", "Medical Center", "Community Clinic", "Family Health Center",
	"Children's Hospital", "Regional Medical Center", "Heart Institute", "Clínica Familiar",
}

// degree is a practitioner qualification of v2-0360.
type degree struct{ code, display string }

var degrees = []degree{
	{"MD", "Doctor of Medicine"}, {"DO", "Doctor of Osteopathy"},
	{"NP", "Nurse practitioner"}, {"PA", "Physician Assistant"}, {"RN", "Registered Nurse"},
}

// encClass is an encounter class of v3-ActCode with the SNOMED types it
// comes with, its share of encounters (per mille) and its length bounds in
// minutes.
type encClass struct {
	code, display  string
	weight         int
	minLen, maxLen int
	types          []snomedCode
}

type snomedCode struct{ code, display string }

var encClasses = []encClass{
	{"AMB", "ambulatory", 600, 15, 60, []snomedCode{
		{"185349003", "Encounter for check up (procedure)"},
		{"185345009", "Encounter for symptom (procedure)"},
		{"390906007", "Follow-up encounter (procedure)"},
		{"162673000", "General examination of patient (procedure)"},
		{"698314001", "Consultation for treatment (procedure)"}}},
	{"EMER", "emergency", 120, 120, 480, []snomedCode{
		{"50849002", "Emergency room admission (procedure)"},
		{"183452005", "Emergency hospital admission (procedure)"}}},
	{"IMP", "inpatient encounter", 100, 1440, 10080, []snomedCode{
		{"32485007", "Hospital admission (procedure)"}}},
	{"HH", "home health", 50, 30, 90, []snomedCode{
		{"439708006", "Home visit (procedure)"}}},
	{"VR", "virtual", 130, 10, 30, []snomedCode{
		{"448337001", "Telemedicine consultation with patient (procedure)"},
		{"185317003", "Telephone encounter (procedure)"}}},
}

// condition is a SNOMED condition; chronic ones stay active, acute ones
// mostly resolve. weight is its share (per mille) of drawn conditions.
type condition struct {
	code, display string
	chronic       bool
	weight        int
}

var conditions = []condition{
	{"38341003", "Hypertensive disorder, systemic arterial (disorder)", true, 160},
	{"44054006", "Diabetes mellitus type 2 (disorder)", true, 90},
	{"195967001", "Asthma (disorder)", true, 60},
	{"55822004", "Hyperlipidemia (disorder)", true, 110},
	{"13645005", "Chronic obstructive lung disease (disorder)", true, 30},
	{"35489007", "Depressive disorder (disorder)", true, 50},
	{"197480006", "Anxiety disorder (disorder)", true, 40},
	{"162864005", "Body mass index 30+ - obesity (finding)", true, 60},
	{"49436004", "Atrial fibrillation (disorder)", true, 20},
	{"53741008", "Coronary arteriosclerosis (disorder)", true, 25},
	{"40930008", "Hypothyroidism (disorder)", true, 30},
	{"239873007", "Osteoarthritis of knee (disorder)", true, 35},
	{"37796009", "Migraine (disorder)", true, 25},
	{"444814009", "Viral sinusitis (disorder)", false, 100},
	{"195662009", "Acute viral pharyngitis (disorder)", false, 70},
	{"10509002", "Acute bronchitis (disorder)", false, 60},
	{"68566005", "Urinary tract infectious disease (disorder)", false, 35},
}

// conditionTotal is the sum of the condition weights.
var conditionTotal = func() int {
	n := 0
	for _, c := range conditions {
		n += c.weight
	}
	return n
}()
