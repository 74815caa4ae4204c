package fhirpath

import (
	"encoding/json"
	"strings"
)

// elementTable describes the elements the evaluator knows, per type, from
// the R4 definitions: the resource types the server stores, their backbone
// elements (named "Type.path") and the data types their search parameters
// reach. Each entry is "name:Type"; a choice element is "name[x]:T1|T2|..."
// ("*" for any type). A line starting with a tab continues the previous
// type. Elements missing here still evaluate, with an empty type.
const elementTable = `
Resource id:id meta:Meta implicitRules:uri language:code
DomainResource text:Narrative contained:Resource extension:Extension
	modifierExtension:Extension
Appointment identifier:Identifier status:code cancelationReason:CodeableConcept
	serviceCategory:CodeableConcept serviceType:CodeableConcept specialty:CodeableConcept
	appointmentType:CodeableConcept reasonCode:CodeableConcept reasonReference:Reference
	priority:unsignedInt description:string supportingInformation:Reference start:instant
	end:instant minutesDuration:positiveInt slot:Reference created:dateTime comment:string
	patientInstruction:string basedOn:Reference participant:Appointment.participant
	requestedPeriod:Period
Appointment.participant type:CodeableConcept actor:Reference required:code status:code
	period:Period
Condition identifier:Identifier clinicalStatus:CodeableConcept
	verificationStatus:CodeableConcept category:CodeableConcept severity:CodeableConcept
	code:CodeableConcept bodySite:CodeableConcept subject:Reference encounter:Reference
	onset[x]:dateTime|Age|Period|Range|string abatement[x]:dateTime|Age|Period|Range|string
	recordedDate:dateTime recorder:Reference asserter:Reference stage:Condition.stage
	evidence:Condition.evidence note:Annotation
Condition.stage summary:CodeableConcept assessment:Reference type:CodeableConcept
Condition.evidence code:CodeableConcept detail:Reference
Encounter identifier:Identifier status:code statusHistory:Encounter.statusHistory
	class:Coding classHistory:Encounter.classHistory type:CodeableConcept
	serviceType:CodeableConcept priority:CodeableConcept subject:Reference
	episodeOfCare:Reference basedOn:Reference participant:Encounter.participant
	appointment:Reference period:Period length:Duration reasonCode:CodeableConcept
	reasonReference:Reference diagnosis:Encounter.diagnosis account:Reference
	hospitalization:Encounter.hospitalization location:Encounter.location
	serviceProvider:Reference partOf:Reference
Encounter.statusHistory status:code period:Period
Encounter.classHistory class:Coding period:Period
Encounter.participant type:CodeableConcept period:Period individual:Reference
Encounter.diagnosis condition:Reference use:CodeableConcept rank:positiveInt
Encounter.hospitalization preAdmissionIdentifier:Identifier origin:Reference
	admitSource:CodeableConcept reAdmission:CodeableConcept dietPreference:CodeableConcept
	specialCourtesy:CodeableConcept specialArrangement:CodeableConcept
	destination:Reference dischargeDisposition:CodeableConcept
Encounter.location location:Reference status:code physicalType:CodeableConcept
	period:Period
Group identifier:Identifier active:boolean type:code actual:boolean code:CodeableConcept
	name:string quantity:unsignedInt managingEntity:Reference
	characteristic:Group.characteristic member:Group.member
Group.characteristic code:CodeableConcept
	value[x]:CodeableConcept|boolean|Quantity|Range|Reference exclude:boolean period:Period
Group.member entity:Reference period:Period inactive:boolean
Location identifier:Identifier status:code operationalStatus:Coding name:string
	alias:string description:string mode:code type:CodeableConcept telecom:ContactPoint
	address:Address physicalType:CodeableConcept position:Location.position
	managingOrganization:Reference partOf:Reference
	hoursOfOperation:Location.hoursOfOperation availabilityExceptions:string
	endpoint:Reference
Location.position longitude:decimal latitude:decimal altitude:decimal
Observation identifier:Identifier basedOn:Reference partOf:Reference status:code
	category:CodeableConcept code:CodeableConcept subject:Reference focus:Reference
	encounter:Reference effective[x]:dateTime|Period|Timing|instant issued:instant
	performer:Reference
	value[x]:Quantity|CodeableConcept|string|boolean|integer|Range|Ratio|SampledData|time|dateTime|Period
	dataAbsentReason:CodeableConcept interpretation:CodeableConcept note:Annotation
	bodySite:CodeableConcept method:CodeableConcept specimen:Reference device:Reference
	referenceRange:Observation.referenceRange hasMember:Reference derivedFrom:Reference
	component:Observation.component
Observation.referenceRange low:Quantity high:Quantity type:CodeableConcept
	appliesTo:CodeableConcept age:Range text:string
Observation.component code:CodeableConcept
	value[x]:Quantity|CodeableConcept|string|boolean|integer|Range|Ratio|SampledData|time|dateTime|Period
	dataAbsentReason:CodeableConcept interpretation:CodeableConcept
	referenceRange:Observation.referenceRange
Organization identifier:Identifier active:boolean type:CodeableConcept name:string
	alias:string telecom:ContactPoint address:Address partOf:Reference
	contact:Organization.contact endpoint:Reference
Organization.contact purpose:CodeableConcept name:HumanName telecom:ContactPoint
	address:Address
Patient identifier:Identifier active:boolean name:HumanName telecom:ContactPoint
	gender:code birthDate:date deceased[x]:boolean|dateTime address:Address
	maritalStatus:CodeableConcept multipleBirth[x]:boolean|integer contact:Patient.contact
	communication:Patient.communication generalPractitioner:Reference
	managingOrganization:Reference link:Patient.link
Patient.contact relationship:CodeableConcept name:HumanName telecom:ContactPoint
	address:Address gender:code organization:Reference period:Period
Patient.communication language:CodeableConcept preferred:boolean
Patient.link other:Reference type:code
Practitioner identifier:Identifier active:boolean name:HumanName telecom:ContactPoint
	address:Address gender:code birthDate:date qualification:Practitioner.qualification
	communication:CodeableConcept
Practitioner.qualification identifier:Identifier code:CodeableConcept period:Period
	issuer:Reference
Schedule identifier:Identifier active:boolean serviceCategory:CodeableConcept
	serviceType:CodeableConcept specialty:CodeableConcept actor:Reference
	planningHorizon:Period comment:string
Slot identifier:Identifier serviceCategory:CodeableConcept serviceType:CodeableConcept
	specialty:CodeableConcept appointmentType:CodeableConcept schedule:Reference
	status:code start:instant end:instant overbooked:boolean comment:string
Meta versionId:id lastUpdated:instant source:uri profile:canonical security:Coding
	tag:Coding
Extension url:uri extension:Extension value[x]:*
Reference reference:string type:uri identifier:Identifier display:string
Identifier use:code type:CodeableConcept system:uri value:string period:Period
	assigner:Reference
CodeableConcept coding:Coding text:string
Coding system:uri version:string code:code display:string userSelected:boolean
HumanName use:code text:string family:string given:string prefix:string suffix:string
	period:Period
Address use:code type:code text:string line:string city:string district:string
	state:string postalCode:string country:string period:Period
ContactPoint system:code value:string use:code rank:positiveInt period:Period
Period start:dateTime end:dateTime
Quantity value:decimal comparator:code unit:string system:uri code:code
Range low:Quantity high:Quantity
Ratio numerator:Quantity denominator:Quantity
Timing event:dateTime repeat:Timing.repeat code:CodeableConcept
Timing.repeat bounds[x]:Duration|Range|Period count:positiveInt countMax:positiveInt
	duration:decimal durationMax:decimal durationUnit:code frequency:positiveInt
	frequencyMax:positiveInt period:decimal periodMax:decimal periodUnit:code
	dayOfWeek:code timeOfDay:time when:code offset:unsignedInt
SampledData origin:Quantity period:decimal factor:decimal lowerLimit:decimal
	upperLimit:decimal dimensions:positiveInt data:string
Annotation author[x]:Reference|string time:dateTime text:markdown
Money value:decimal currency:code
`

// elemKey identifies an element of a type.
type elemKey struct{ parent, name string }

// choiceKey is one JSON key of a choice element and the type it carries.
type choiceKey struct{ key, typ string }

// elemInfo is the type of an element, or the keys of a choice element.
type elemInfo struct {
	typ       string
	choices   []choiceKey
	anyChoice bool
}

// elements maps (type, element name) to the element's type.
var elements = parseElementTable(elementTable)

// quantityTypes are the specializations of Quantity: they have Quantity's
// elements and match "as Quantity".
var quantityTypes = map[string]bool{
	"Age": true, "Count": true, "Distance": true, "Duration": true,
	"SimpleQuantity": true, "MoneyQuantity": true,
}

// subtypes lists the FHIR primitive types that specialize another one.
var subtypes = map[string]string{
	"code": "string", "id": "string", "markdown": "string",
	"url": "uri", "canonical": "uri", "oid": "uri", "uuid": "uri",
	"positiveInt": "integer", "unsignedInt": "integer",
}

// choiceSuffixes maps the suffix of a choice element's JSON key to its FHIR
// type, for every type a choice element may take in R4.
var choiceSuffixes = func() map[string]string {
	names := strings.Fields(`base64Binary boolean canonical code date dateTime decimal id
		instant integer markdown oid positiveInt string time unsignedInt uri url uuid
		Address Age Annotation Attachment CodeableConcept Coding ContactPoint Count
		Distance Duration HumanName Identifier Money Period Quantity Range Ratio Reference
		SampledData Signature Timing ContactDetail Contributor DataRequirement Expression
		ParameterDefinition RelatedArtifact TriggerDefinition UsageContext Dosage Meta`)
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[strings.ToUpper(n[:1])+n[1:]] = n
	}
	return m
}()

func parseElementTable(src string) map[elemKey]elemInfo {
	m := make(map[elemKey]elemInfo)
	parent := ""
	for _, line := range strings.Split(src, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if !strings.HasPrefix(line, "\t") {
			parent, fields = fields[0], fields[1:]
		}
		for _, f := range fields {
			name, typ, _ := strings.Cut(f, ":")
			base, isChoice := strings.CutSuffix(name, "[x]")
			if !isChoice {
				m[elemKey{parent, name}] = elemInfo{typ: typ}
				continue
			}
			info := elemInfo{anyChoice: typ == "*"}
			for _, t := range strings.Split(typ, "|") {
				if !info.anyChoice {
					info.choices = append(info.choices, choiceKey{base + strings.ToUpper(t[:1]) + t[1:], t})
				}
			}
			m[elemKey{parent, base}] = info
		}
	}
	return m
}

// lookupElement returns what the table knows of the element name of the
// type parent, looking through Quantity specializations and, for
// resources, DomainResource and Resource.
func lookupElement(parent, name string, isRes bool) (elemInfo, bool) {
	if info, ok := elements[elemKey{parent, name}]; ok {
		return info, true
	}
	if quantityTypes[parent] {
		info, ok := elements[elemKey{"Quantity", name}]
		return info, ok
	}
	if isRes {
		if info, ok := elements[elemKey{"DomainResource", name}]; ok {
			return info, true
		}
		info, ok := elements[elemKey{"Resource", name}]
		return info, ok
	}
	if name == "extension" || name == "modifierExtension" {
		return elemInfo{typ: "Extension"}, true
	}
	return elemInfo{}, false
}

// appendChild appends the children called name of obj, whose type is
// parent, with their types.
func appendChild(dst []Node, obj map[string]any, parent, name string) []Node {
	_, isRes := obj["resourceType"].(string)
	info, known := lookupElement(parent, name, isRes)
	if v, ok := obj[name]; ok {
		return appendValue(dst, v, info.typ)
	}
	for _, c := range info.choices {
		if v, ok := obj[c.key]; ok {
			return appendValue(dst, v, c.typ)
		}
	}
	if known && !info.anyChoice {
		return dst
	}
	// An unknown element or an open choice: look for a key made of the name
	// and a type suffix.
	for k, v := range obj {
		if len(k) > len(name) && k[:len(name)] == name {
			if typ, ok := choiceSuffixes[k[len(name):]]; ok {
				return appendValue(dst, v, typ)
			}
		}
	}
	return dst
}

// appendValue appends a JSON value as nodes of the type typ: each item of
// an array, nothing for null.
func appendValue(dst []Node, v any, typ string) []Node {
	switch x := v.(type) {
	case nil:
	case []any:
		for _, item := range x {
			if item != nil {
				dst = append(dst, Node{Value: item, Type: itemType(item, typ)})
			}
		}
	default:
		dst = append(dst, Node{Value: v, Type: itemType(v, typ)})
	}
	return dst
}

// itemType refines the declared type of an item: a contained resource is
// typed by its resourceType.
func itemType(v any, typ string) string {
	if typ == "Resource" {
		if m, ok := v.(map[string]any); ok {
			if rt, ok := m["resourceType"].(string); ok {
				return rt
			}
		}
	}
	return typ
}

// IsType reports whether the node is of the FHIR or System type want (the
// namespace stripped), following specializations: Age is a Quantity, code a
// string, a resource a Resource. Primitive type names compare without case
// so that System.DateTime matches FHIR dateTime. A node of unknown type is
// typed by its JSON value.
func IsType(n Node, want string) bool {
	actual := n.Type
	if actual == "" {
		actual = jsonType(n.Value)
	}
	if strings.EqualFold(actual, want) {
		return true
	}
	switch {
	case want == "Quantity":
		return quantityTypes[actual]
	case want == "Resource" || want == "DomainResource":
		return isResource(n.Value)
	}
	if base, ok := subtypes[actual]; ok {
		return strings.EqualFold(base, want)
	}
	return false
}

// jsonType guesses the type of a value of unknown type from its JSON form.
func jsonType(v any) string {
	switch x := v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case map[string]any:
		rt, _ := x["resourceType"].(string)
		return rt
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			return "decimal"
		}
		return "integer"
	}
	return ""
}
