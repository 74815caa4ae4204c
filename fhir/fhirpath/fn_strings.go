package fhirpath

import (
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// The string functions of FHIRPath (section 5.6 of N1). They take a single
// string input: empty input yields empty, several items are an error.

func registerStrings() {
	register("startsWith", 1, 1, argThis, stringFunc(func(s string, a []string) Node { return boolNode(strings.HasPrefix(s, a[0])) }))
	register("endsWith", 1, 1, argThis, stringFunc(func(s string, a []string) Node { return boolNode(strings.HasSuffix(s, a[0])) }))
	register("contains", 1, 1, argThis, stringFunc(func(s string, a []string) Node { return boolNode(strings.Contains(s, a[0])) }))
	register("upper", 0, 0, argThis, stringFunc(func(s string, _ []string) Node { return stringNode(strings.ToUpper(s)) }))
	register("lower", 0, 0, argThis, stringFunc(func(s string, _ []string) Node { return stringNode(strings.ToLower(s)) }))
	register("trim", 0, 0, argThis, stringFunc(func(s string, _ []string) Node { return stringNode(strings.TrimSpace(s)) }))
	register("length", 0, 0, argThis, stringFunc(func(s string, _ []string) Node { return intNode(utf8.RuneCountInString(s)) }))
	register("replace", 2, 2, argThis, stringFunc(func(s string, a []string) Node { return stringNode(strings.ReplaceAll(s, a[0], a[1])) }))
	register("indexOf", 1, 1, argThis, stringFunc(func(s string, a []string) Node {
		i := strings.Index(s, a[0])
		if i > 0 {
			i = utf8.RuneCountInString(s[:i])
		}
		return intNode(i)
	}))
	register("matches", 1, 1, argThis, regexFunc(func(re *regexp.Regexp, s string, _ []string) Node { return boolNode(re.MatchString(s)) }))
	register("replaceMatches", 2, 2, argThis, regexFunc(func(re *regexp.Regexp, s string, a []string) Node {
		return stringNode(re.ReplaceAllString(s, a[1]))
	}))
	register("substring", 1, 2, argThis, fnSubstring)
	register("toChars", 0, 0, argThis, fnToChars)
	register("split", 1, 1, argThis, fnSplit)
	register("join", 0, 1, argThis, fnJoin)
}

func stringNode(s string) Node { return Node{Value: s, Type: "string"} }

// stringOf returns the string of a node whose value is a JSON string
// (strings, codes, uris, dates...).
func stringOf(n Node) (string, bool) {
	s, ok := n.Value.(string)
	return s, ok
}

// stringInput returns the single string of the input.
func (c *call) stringInput(in []Node) (string, bool) {
	n, ok := c.e.singleton(in, c.f.name+"()")
	if !ok {
		return "", false
	}
	s, ok := stringOf(n)
	if !ok {
		c.e.fail("%s() on a %s, not a string", c.f.name, typeName(n))
	}
	return s, ok
}

// stringArgs returns the arguments as strings; an empty argument makes the
// result empty.
func (c *call) stringArgs() ([]string, bool) {
	out := make([]string, len(c.vals))
	for i, v := range c.vals {
		n, ok := c.e.singleton(v, c.f.name+"()")
		if !ok {
			return nil, false
		}
		if out[i], ok = stringOf(n); !ok {
			c.e.fail("%s() takes strings, got %s", c.f.name, typeName(n))
			return nil, false
		}
	}
	return out, true
}

// stringFunc builds a function of a string input and string arguments.
func stringFunc(f func(s string, args []string) Node) func(*call, []Node, []Node) []Node {
	return func(c *call, in, dst []Node) []Node {
		s, ok := c.stringInput(in)
		if !ok {
			return dst
		}
		args, ok := c.stringArgs()
		if !ok {
			return dst
		}
		return append(dst, f(s, args))
	}
}

// regexFunc builds a function whose first argument is a regular
// expression, in single-line mode (a dot matches a new line) as FHIRPath
// requires.
func regexFunc(f func(re *regexp.Regexp, s string, args []string) Node) func(*call, []Node, []Node) []Node {
	return func(c *call, in, dst []Node) []Node {
		s, ok := c.stringInput(in)
		if !ok {
			return dst
		}
		args, ok := c.stringArgs()
		if !ok {
			return dst
		}
		re, err := compileRegex(args[0])
		if err != nil {
			c.e.fail("%s(): %v", c.f.name, err)
			return dst
		}
		return append(dst, f(re, s, args))
	}
}

// regexCache holds the compiled regular expressions, most of them literals
// of the definitions; it stops growing at maxRegexCache entries.
var (
	regexCache   sync.Map
	regexCount   int
	regexCountMu sync.Mutex
)

const maxRegexCache = 1024

func compileRegex(src string) (*regexp.Regexp, error) {
	if re, ok := regexCache.Load(src); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile("(?s)" + src)
	if err != nil {
		return nil, err
	}
	regexCountMu.Lock()
	if regexCount < maxRegexCache {
		regexCount++
		regexCache.Store(src, re)
	}
	regexCountMu.Unlock()
	return re, nil
}

// fnSubstring is substring(start[, length]) in characters; a start outside
// the string yields empty.
func fnSubstring(c *call, in, dst []Node) []Node {
	s, ok := c.stringInput(in)
	if !ok {
		return dst
	}
	start, ok := c.intArg(0)
	runes := []rune(s)
	if !ok || start < 0 || start >= int64(len(runes)) {
		return dst
	}
	end := int64(len(runes))
	if len(c.vals) > 1 {
		n, ok := c.intArg(1)
		if !ok {
			return dst
		}
		end = min(end, start+max(n, 0))
	}
	return append(dst, stringNode(string(runes[start:end])))
}

func fnToChars(c *call, in, dst []Node) []Node {
	s, ok := c.stringInput(in)
	if !ok {
		return dst
	}
	for _, r := range s {
		dst = append(dst, stringNode(string(r)))
	}
	return dst
}

func fnSplit(c *call, in, dst []Node) []Node {
	s, ok := c.stringInput(in)
	if !ok {
		return dst
	}
	args, ok := c.stringArgs()
	if !ok {
		return dst
	}
	for _, part := range strings.Split(s, args[0]) {
		dst = append(dst, stringNode(part))
	}
	return dst
}

// fnJoin joins the strings of the input with the separator ("" by
// default).
func fnJoin(c *call, in, dst []Node) []Node {
	sep := ""
	if len(c.vals) > 0 {
		args, ok := c.stringArgs()
		if !ok {
			return dst
		}
		sep = args[0]
	}
	parts := make([]string, 0, len(in))
	for _, n := range in {
		s, ok := stringOf(n)
		if !ok {
			c.e.fail("join() on a %s", typeName(n))
			return dst
		}
		parts = append(parts, s)
	}
	return append(dst, stringNode(strings.Join(parts, sep)))
}
