package elements

// choiceTypes are the suffixes a choice element's base name takes in its
// JSON keys: the capitalized names of the R4 data types a choice may be
// of, the "open type" list of http://hl7.org/fhir/R4/datatypes.html#open.
// They are exactly the types the choice elements of the R4 resource
// definitions use.
var choiceTypes = map[string]bool{
	// Primitive types.
	"Base64Binary": true,
	"Boolean":      true,
	"Canonical":    true,
	"Code":         true,
	"Date":         true,
	"DateTime":     true,
	"Decimal":      true,
	"Id":           true,
	"Instant":      true,
	"Integer":      true,
	"Markdown":     true,
	"Oid":          true,
	"PositiveInt":  true,
	"String":       true,
	"Time":         true,
	"UnsignedInt":  true,
	"Uri":          true,
	"Url":          true,
	"Uuid":         true,
	// General-purpose types.
	"Address":         true,
	"Age":             true,
	"Annotation":      true,
	"Attachment":      true,
	"CodeableConcept": true,
	"Coding":          true,
	"ContactPoint":    true,
	"Count":           true,
	"Distance":        true,
	"Duration":        true,
	"HumanName":       true,
	"Identifier":      true,
	"Money":           true,
	"Period":          true,
	"Quantity":        true,
	"Range":           true,
	"Ratio":           true,
	"Reference":       true,
	"SampledData":     true,
	"Signature":       true,
	"Timing":          true,
	// Metadata types.
	"ContactDetail":       true,
	"Contributor":         true,
	"DataRequirement":     true,
	"Expression":          true,
	"ParameterDefinition": true,
	"RelatedArtifact":     true,
	"TriggerDefinition":   true,
	"UsageContext":        true,
	// Special-purpose types.
	"Dosage": true,
	"Meta":   true,
}
