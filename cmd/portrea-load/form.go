package main

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
)

// The back office's pages are server-rendered, so an editor is simulated
// the way a browser submits it: read the form as rendered, change one
// field, post every field back. The parser below knows just enough HTML
// for PORTREA's own templates (no dependency on an HTML parser).

var (
	tagRe  = regexp.MustCompile(`(?is)<(input|textarea|select|option|/select)\b([^>]*)>`)
	attrRe = regexp.MustCompile(`(?s)([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?`)
)

// attrs reads the attributes of a tag, values unescaped.
func attrs(s string) map[string]string {
	out := map[string]string{}
	for _, m := range attrRe.FindAllStringSubmatch(s, -1) {
		out[strings.ToLower(m[1])] = html.UnescapeString(m[2] + m[3] + m[4])
	}
	return out
}

// extractForm returns the fields a browser would submit for the form whose
// action attribute is action: inputs (checkboxes and radios only when
// checked), text areas and selects. Buttons are not submitted.
func extractForm(page, action string) (url.Values, error) {
	start := -1
	for _, q := range []string{`"`, `'`} {
		if i := strings.Index(page, "action="+q+action+q); i >= 0 {
			start = i
			break
		}
	}
	if start < 0 {
		return nil, fmt.Errorf("form %s not found", action)
	}
	if i := strings.LastIndex(page[:start], "<form"); i >= 0 {
		start = i
	}
	end := strings.Index(page[start:], "</form>")
	if end < 0 {
		return nil, fmt.Errorf("form %s not closed", action)
	}
	body := page[start : start+end]
	vals := url.Values{}
	var (
		selName     string
		selFirst    string
		selHasFirst bool
		selChosen   bool
	)
	closeSelect := func() {
		if selName != "" && !selChosen && selHasFirst {
			vals.Add(selName, selFirst)
		}
		selName, selFirst, selHasFirst, selChosen = "", "", false, false
	}
	for _, loc := range tagRe.FindAllStringSubmatchIndex(body, -1) {
		tag := strings.ToLower(body[loc[2]:loc[3]])
		a := attrs(body[loc[4]:loc[5]])
		_, disabled := a["disabled"]
		switch tag {
		case "input":
			name := a["name"]
			typ := strings.ToLower(a["type"])
			if name == "" || disabled {
				continue
			}
			switch typ {
			case "submit", "button", "reset", "image", "file":
				continue
			case "checkbox", "radio":
				if _, ok := a["checked"]; !ok {
					continue
				}
				v, ok := a["value"]
				if !ok {
					v = "on"
				}
				vals.Add(name, v)
			default:
				vals.Add(name, a["value"])
			}
		case "textarea":
			rest := body[loc[1]:]
			stop := strings.Index(strings.ToLower(rest), "</textarea>")
			if stop < 0 {
				return nil, fmt.Errorf("form %s: textarea %q not closed", action, a["name"])
			}
			if a["name"] == "" || disabled {
				continue
			}
			text := html.UnescapeString(rest[:stop])
			// Browsers drop one line break right after <textarea>.
			text = strings.TrimPrefix(strings.TrimPrefix(text, "\r"), "\n")
			vals.Add(a["name"], text)
		case "select":
			closeSelect()
			if !disabled {
				selName = a["name"]
			}
		case "option":
			if selName == "" {
				continue
			}
			v, ok := a["value"]
			if !ok {
				// An option without value submits its text.
				rest := body[loc[1]:]
				if stop := strings.Index(rest, "<"); stop >= 0 {
					v = strings.TrimSpace(html.UnescapeString(rest[:stop]))
				}
			}
			if !selHasFirst {
				selFirst, selHasFirst = v, true
			}
			if _, sel := a["selected"]; sel && !selChosen {
				vals.Add(selName, v)
				selChosen = true
			}
		case "/select":
			closeSelect()
		}
	}
	closeSelect()
	return vals, nil
}

var (
	jetonRe  = regexp.MustCompile(`name="jeton" value="([^"]+)"`)
	editRe   = regexp.MustCompile(`href="/gestion/lieux/([^"/?#]+)"`)
	staticRe = regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`)
)

// firstMatch returns the first group of re in s, unescaped, or "".
func firstMatch(re *regexp.Regexp, s string) string {
	if m := re.FindStringSubmatch(s); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}
