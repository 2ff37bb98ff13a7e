// Package exporttest checks, for tests, exported records against the
// JSON Schemas of data·inclusion kept in shared/reference.
package exporttest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"portrea/internal/place/schematest"
)

// Schema is a JSON Schema (draft 2020-12 subset used by data·inclusion's
// pydantic-generated schemas).
type Schema struct {
	root map[string]any
}

// LoadSchema reads a JSON Schema file of shared/reference.
func LoadSchema(t testing.TB, name string) *Schema {
	t.Helper()
	b, err := os.ReadFile(schematest.File(t, name))
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &Schema{root: root}
}

// Problems validates one JSON document (already decoded with
// encoding/json into any) and returns every problem found. Properties the
// schema does not define are reported too: a misspelt field would
// otherwise be dropped silently by data·inclusion.
func (s *Schema) Problems(doc any) []string {
	var out []string
	s.check(s.root, doc, "", &out)
	if obj, ok := doc.(map[string]any); ok {
		props, _ := s.root["properties"].(map[string]any)
		for k := range obj {
			if _, ok := props[k]; !ok {
				out = append(out, fmt.Sprintf("%s: property not in the schema", k))
			}
		}
	}
	sort.Strings(out)
	return out
}

var ignored = map[string]bool{"description": true, "title": true, "default": true, "examples": true, "$defs": true}

func (s *Schema) check(sch map[string]any, v any, path string, out *[]string) {
	fail := func(format string, args ...any) {
		*out = append(*out, fmt.Sprintf("%s: %s", orRoot(path), fmt.Sprintf(format, args...)))
	}
	for k, c := range sch {
		switch k {
		case "$ref":
			ref := c.(string)
			name, ok := strings.CutPrefix(ref, "#/$defs/")
			def, _ := s.root["$defs"].(map[string]any)[name].(map[string]any)
			if !ok || def == nil {
				fail("unresolved $ref %s", ref)
				continue
			}
			s.check(def, v, path, out)
		case "anyOf":
			var all []string
			matched := false
			for _, alt := range c.([]any) {
				var sub []string
				s.check(alt.(map[string]any), v, path, &sub)
				if len(sub) == 0 {
					matched = true
					break
				}
				all = append(all, sub...)
			}
			if !matched {
				fail("matches no alternative of anyOf (%s)", strings.Join(all, "; "))
			}
		case "type":
			if !hasType(v, c.(string)) {
				fail("%v is not of type %s", v, c)
			}
		case "enum":
			found := false
			for _, e := range c.([]any) {
				if e == v {
					found = true
				}
			}
			if !found {
				fail("%v is not one of the allowed values", v)
			}
		case "const":
			if v != c {
				fail("%v is not %v", v, c)
			}
		case "required":
			obj, ok := v.(map[string]any)
			for _, r := range c.([]any) {
				if _, has := obj[r.(string)]; ok && !has {
					fail("required property %s missing", r)
				}
			}
		case "properties":
			obj, ok := v.(map[string]any)
			if !ok {
				continue
			}
			for name, ps := range c.(map[string]any) {
				if pv, has := obj[name]; has {
					s.check(ps.(map[string]any), pv, path+"."+name, out)
				}
			}
		case "items":
			arr, ok := v.([]any)
			if !ok {
				continue
			}
			for i, it := range arr {
				s.check(c.(map[string]any), it, fmt.Sprintf("%s[%d]", path, i), out)
			}
		case "minItems":
			if arr, ok := v.([]any); ok && float64(len(arr)) < c.(float64) {
				fail("fewer than %v items", c)
			}
		case "uniqueItems":
			if arr, ok := v.([]any); ok && c.(bool) {
				seen := map[string]bool{}
				for _, it := range arr {
					k := fmt.Sprint(it)
					if seen[k] {
						fail("item %v repeated", it)
					}
					seen[k] = true
				}
			}
		case "minLength", "maxLength", "pattern", "format":
			str, ok := v.(string)
			if !ok {
				continue
			}
			n := float64(utf8.RuneCountInString(str))
			switch k {
			case "minLength":
				if n < c.(float64) {
					fail("%q shorter than %v", str, c)
				}
			case "maxLength":
				if n > c.(float64) {
					fail("%q longer than %v", str, c)
				}
			case "pattern":
				if !regexp.MustCompile(c.(string)).MatchString(str) {
					fail("%q does not match %s", str, c)
				}
			case "format":
				if !formatOK(c.(string), str) {
					fail("%q is not a valid %s", str, c)
				}
			}
		case "minimum":
			if f, ok := v.(float64); ok && f < c.(float64) {
				fail("%v below %v", f, c)
			}
		default:
			if !ignored[k] {
				fail("schema keyword %s not supported by this validator", k)
			}
		}
	}
}

func orRoot(p string) string {
	if p == "" {
		return "(document)"
	}
	return strings.TrimPrefix(p, ".")
}

func hasType(v any, t string) bool {
	switch t {
	case "null":
		return v == nil
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == math.Trunc(f)
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	}
	return false
}

func formatOK(format, s string) bool {
	switch format {
	case "date":
		_, err := time.Parse(time.DateOnly, s)
		return err == nil
	case "uri":
		u, err := url.Parse(s)
		return err == nil && u.Scheme != "" && u.Host != "" && !strings.ContainsAny(s, " \t\n\"<>\\^`{|}")
	case "email":
		a, err := mail.ParseAddress(s)
		return err == nil && a.Address == s
	}
	return false
}
