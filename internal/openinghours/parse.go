// Package openinghours reads the OpenStreetMap opening_hours syntax as used
// in French open data about digital-mediation places (the `horaires` field
// of the national standard) and answers when a place is open.
//
// Supported: rule sequences with ";" (a later rule replaces what earlier
// ones said for the days it selects) and "," (an additional rule, which
// adds), "24/7", weekdays (Mo-Fr, Fr-Mo, Mo,We), the n-th weekday of the
// month (Sa[1], Mo[-1]), public holidays (PH, French calendar), school
// holidays (SH: accepted, never matching, as we do not know the school
// calendars), months and dates (Jul-Aug, Dec 25, Jan 01-Jan 07), time spans
// with overnight spill (22:00-02:00), the modifiers off / closed / open /
// unknown, and comments in double quotes. Fallback rules ("||"), week
// numbers, years, open ends ("18:00+") and sunrise/sunset are refused with
// a French message.
package openinghours

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseError is a syntax error, with the byte position where it was found
// and a French message for the person who typed the hours.
type ParseError struct {
	Pos int
	Msg string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("horaires : position %d : %s", e.Pos+1, e.Msg)
}

type tokKind int

const (
	tWord   tokKind = iota // letters: Mo, PH, Jan, off
	tNum                   // digits
	tTime                  // HH:MM
	tPunct                 // - , ; [ ] / + |
	tString                // "comment"
	tEOF
)

type token struct {
	kind tokKind
	text string
	pos  int
}

func lex(s string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"':
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				return nil, &ParseError{i, "commentaire non fermé : il manque le guillemet final \""}
			}
			toks = append(toks, token{tString, s[i+1 : i+1+end], i})
			i += end + 2
		case isLetter(c):
			j := i
			for j < len(s) && isLetter(s[j]) {
				j++
			}
			toks = append(toks, token{tWord, s[i:j], i})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j < len(s) && s[j] == ':' {
				k := j + 1
				for k < len(s) && s[k] >= '0' && s[k] <= '9' {
					k++
				}
				toks = append(toks, token{tTime, s[i:k], i})
				i = k
				continue
			}
			if j < len(s) && (s[j] == 'h' || s[j] == 'H') {
				return nil, &ParseError{i, fmt.Sprintf("heure « %s » au format français : écrivez %02s:00 (format HH:MM)", s[i:j+1], s[i:j])}
			}
			toks = append(toks, token{tNum, s[i:j], i})
			i = j
		case strings.IndexByte("-,;[]/+|", c) >= 0:
			toks = append(toks, token{tPunct, string(c), i})
			i++
		default:
			r := []rune(s[i:])[0]
			if r == '–' || r == '—' {
				return nil, &ParseError{i, "tiret long « – » : utilisez le tiret simple « - »"}
			}
			return nil, &ParseError{i, fmt.Sprintf("caractère « %c » inattendu", r)}
		}
	}
	return append(toks, token{tEOF, "", len(s)}), nil
}

func isWeekday(s string) bool { _, ok := weekdayCodes[s]; return ok }

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

var weekdayCodes = map[string]int{"Mo": 0, "Tu": 1, "We": 2, "Th": 3, "Fr": 4, "Sa": 5, "Su": 6}
var weekdayNames = [7]string{"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"}

// frenchDays maps French abbreviations people type to the OSM codes, for
// the hint in the error message.
var frenchDays = map[string]string{"Lu": "Mo", "Ma": "Tu", "Me": "We", "Je": "Th", "Ve": "Fr", "Di": "Su",
	"Lun": "Mo", "Mar": "Tu", "Mer": "We", "Jeu": "Th", "Ven": "Fr", "Sam": "Sa", "Dim": "Su"}

var monthCodes = map[string]int{"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12}
var monthNames = [13]string{"", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

type modifier int

const (
	modOpen modifier = iota
	modOff
	modUnknown
)

// monthRange is a range of dates within a year; day 0 means the whole month.
type monthRange struct {
	fromMonth, fromDay, toMonth, toDay int
}

// dayItem selects weekdays (a range, possibly wrapping), optionally only
// their n-th occurrences in the month, or the holidays.
type dayItem struct {
	from, to int    // weekday range, 0 = Monday
	nth      []int  // 1..5 or -1..-5; empty = every week
	holiday  string // "PH" or "SH" instead of weekdays
}

type rule struct {
	additional bool // joined to the previous rule by ","
	all        bool // 24/7
	months     []monthRange
	days       []dayItem
	spans      []Interval // End may exceed 1440 for an overnight span
	mod        modifier
	explicit   bool // the modifier was written
	comment    string
}

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }
func (p *parser) is(kind tokKind, text string) bool {
	t := p.peek()
	return t.kind == kind && t.text == text
}

func errAt(t token, format string, args ...any) error {
	return &ParseError{t.pos, fmt.Sprintf(format, args...)}
}

// Parse reads an opening_hours string. The empty string is an error:
// callers decide whether hours are optional.
func Parse(s string) (*Hours, error) {
	if strings.TrimSpace(s) == "" {
		return nil, &ParseError{0, "texte vide"}
	}
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	h := &Hours{}
	additional := false
	for {
		r, err := p.rule()
		if err != nil {
			return nil, err
		}
		r.additional = additional
		h.rules = append(h.rules, r)
		t := p.next()
		switch {
		case t.kind == tEOF:
			return h, nil
		case t.kind == tPunct && t.text == ";":
			additional = false
		case t.kind == tPunct && t.text == ",":
			additional = true
		case t.kind == tPunct && t.text == "|":
			return nil, errAt(t, "règle de repli « || » non prise en charge : séparez les règles par « ; »")
		default:
			return nil, errAt(t, "« %s » inattendu après une règle (attendu « ; » entre deux règles)", t.text)
		}
		if p.peek().kind == tEOF {
			// A trailing separator is harmless ("Mo 09:00-12:00;").
			return h, nil
		}
	}
}

func (p *parser) rule() (rule, error) {
	var r rule
	start := p.peek()
	if start.kind == tNum && p.toks[p.i+1].kind == tPunct && p.toks[p.i+1].text == "/" {
		if start.text == "24" && p.toks[p.i+2].kind == tNum && p.toks[p.i+2].text == "7" {
			p.i += 3
			r.all = true
			r.spans = []Interval{{0, 1440}}
			return r, p.tail(&r)
		}
		return r, errAt(start, "« %s/… » inattendu (seul « 24/7 » est accepté)", start.text)
	}
	if start.kind == tNum && len(start.text) == 4 {
		return r, errAt(start, "les années (« %s ») ne sont pas prises en charge", start.text)
	}
	if start.kind == tWord && start.text == "week" {
		return r, errAt(start, "sélecteur de semaines non pris en charge")
	}
	if err := p.months(&r); err != nil {
		return r, err
	}
	if err := p.weekdays(&r); err != nil {
		return r, err
	}
	if err := p.times(&r); err != nil {
		return r, err
	}
	if err := p.tail(&r); err != nil {
		return r, err
	}
	if r.months == nil && r.days == nil && r.spans == nil && !r.explicit {
		if r.comment != "" {
			// A comment alone says nothing certain about opening times.
			r.mod = modUnknown
			return r, nil
		}
		t := p.peek()
		if t.kind == tEOF {
			return r, errAt(t, "règle vide")
		}
		return r, errAt(t, "« %s » inattendu (attendu un jour comme Mo, une heure comme 09:00 ou « off »)", t.text)
	}
	return r, nil
}

// tail reads the optional modifier and comment of a rule.
func (p *parser) tail(r *rule) error {
	if t := p.peek(); t.kind == tWord {
		switch t.text {
		case "off", "closed":
			r.mod, r.explicit = modOff, true
		case "open":
			r.mod, r.explicit = modOpen, true
		case "unknown":
			r.mod, r.explicit = modUnknown, true
		}
		if r.explicit {
			p.next()
		}
	}
	if t := p.peek(); t.kind == tString {
		r.comment = p.next().text
	}
	return nil
}

func (p *parser) months(r *rule) error {
	for {
		t := p.peek()
		m, ok := monthCodes[t.text]
		if t.kind != tWord || !ok {
			return nil
		}
		p.next()
		mr := monthRange{fromMonth: m, toMonth: m}
		if p.peek().kind == tNum {
			d, err := p.day(m)
			if err != nil {
				return err
			}
			mr.fromDay, mr.toDay = d, d
		}
		if p.is(tPunct, "-") {
			p.next()
			t := p.peek()
			switch {
			case t.kind == tWord && monthCodes[t.text] > 0:
				p.next()
				mr.toMonth = monthCodes[t.text]
				mr.toDay = 0
				if p.peek().kind == tNum {
					d, err := p.day(mr.toMonth)
					if err != nil {
						return err
					}
					mr.toDay = d
				}
				if (mr.fromDay == 0) != (mr.toDay == 0) {
					return errAt(t, "plage de dates incohérente : donnez le jour aux deux bornes ou à aucune")
				}
			case t.kind == tNum && mr.fromDay > 0:
				d, err := p.day(mr.toMonth)
				if err != nil {
					return err
				}
				mr.toDay = d
			default:
				return errAt(t, "fin de période attendue après « - » (par exemple Jul-Aug ou Dec 24-26)")
			}
		}
		r.months = append(r.months, mr)
		if !p.is(tPunct, ",") || p.toks[p.i+1].kind != tWord || monthCodes[p.toks[p.i+1].text] == 0 {
			return nil
		}
		p.next()
	}
}

func (p *parser) day(month int) (int, error) {
	t := p.next()
	d, err := strconv.Atoi(t.text)
	max := [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[month]
	if err != nil || d < 1 || d > max {
		return 0, errAt(t, "jour du mois « %s » invalide pour %s", t.text, monthNames[month])
	}
	return d, nil
}

func (p *parser) weekdays(r *rule) error {
	for {
		t := p.peek()
		if t.kind != tWord {
			return nil
		}
		var item dayItem
		switch {
		case t.text == "PH" || t.text == "SH":
			p.next()
			item.holiday = t.text
		case isWeekday(t.text):
			p.next()
			item.from = weekdayCodes[t.text]
			item.to = item.from
			if p.is(tPunct, "-") {
				p.next()
				u := p.next()
				d, ok := weekdayCodes[u.text]
				if u.kind != tWord || !ok {
					return errAt(u, "jour de fin « %s » inconnu (attendu Mo, Tu, We, Th, Fr, Sa ou Su)", u.text)
				}
				item.to = d
			}
			if p.is(tPunct, "[") {
				p.next()
				for {
					neg := false
					if p.is(tPunct, "-") {
						p.next()
						neg = true
					}
					u := p.next()
					n, err := strconv.Atoi(u.text)
					if u.kind != tNum || err != nil || n < 1 || n > 5 {
						return errAt(u, "rang « %s » invalide entre crochets (attendu 1 à 5, ou -1 pour le dernier)", u.text)
					}
					if neg {
						n = -n
					}
					item.nth = append(item.nth, n)
					if p.is(tPunct, "]") {
						p.next()
						break
					}
					if !p.is(tPunct, ",") {
						return errAt(p.peek(), "« ] » attendu pour fermer le rang")
					}
					p.next()
				}
			}
		case frenchDays[t.text] != "":
			return errAt(t, "jour « %s » en français : écrivez %s (jours en anglais : Mo, Tu, We, Th, Fr, Sa, Su)", t.text, frenchDays[t.text])
		case t.text == "sunrise" || t.text == "sunset" || t.text == "dawn" || t.text == "dusk":
			return errAt(t, "heures solaires (« %s ») non prises en charge", t.text)
		default:
			if r.days == nil && r.months == nil {
				switch t.text {
				case "off", "closed", "open", "unknown":
					return nil
				}
				return errAt(t, "jour inconnu « %s » (attendu Mo, Tu, We, Th, Fr, Sa, Su ou PH)", t.text)
			}
			return nil
		}
		r.days = append(r.days, item)
		if !p.is(tPunct, ",") || p.toks[p.i+1].kind != tWord {
			return nil
		}
		nt := p.toks[p.i+1].text
		if _, ok := weekdayCodes[nt]; !ok && nt != "PH" && nt != "SH" && frenchDays[nt] == "" {
			return nil // "," starts an additional rule
		}
		p.next()
	}
}

func (p *parser) times(r *rule) error {
	for {
		t := p.peek()
		if t.kind == tWord && (t.text == "sunrise" || t.text == "sunset") {
			return errAt(t, "heures solaires (« %s ») non prises en charge", t.text)
		}
		if t.kind == tNum {
			return errAt(t, "heure « %s » incomplète (attendu HH:MM, par exemple 09:00)", t.text)
		}
		if t.kind != tTime {
			return nil
		}
		p.next()
		start, err := clock(t, false)
		if err != nil {
			return err
		}
		if p.is(tPunct, "+") {
			return errAt(p.peek(), "heure de fin ouverte non prise en charge (« %s+ ») : indiquez l'heure de fermeture", t.text)
		}
		if !p.is(tPunct, "-") {
			return errAt(p.peek(), "plage horaire incomplète après %s (attendu %s-HH:MM)", t.text, t.text)
		}
		p.next()
		u := p.next()
		if u.kind != tTime {
			return errAt(u, "heure de fin attendue après « %s- » (format HH:MM)", t.text)
		}
		end, err := clock(u, true)
		if err != nil {
			return err
		}
		if p.is(tPunct, "+") {
			return errAt(p.peek(), "heure de fin ouverte non prise en charge")
		}
		if end == start {
			return errAt(t, "plage horaire vide ou inversée « %s-%s »", t.text, u.text)
		}
		if end < start {
			end += 1440 // overnight: spills into the next day
		}
		r.spans = append(r.spans, Interval{start, end})
		if !p.is(tPunct, ",") || p.toks[p.i+1].kind != tTime {
			return nil
		}
		p.next()
	}
}

// clock reads HH:MM as minutes; 24:00 is allowed as an end.
func clock(t token, end bool) (int, error) {
	h, m, ok := strings.Cut(t.text, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || mm > 59 || hh > 24 || (hh == 24 && (mm != 0 || !end)) {
		return 0, errAt(t, "heure invalide « %s » (attendu HH:MM entre 00:00 et 24:00)", t.text)
	}
	if len(h) != 2 {
		return 0, errAt(t, "heure « %s » sur un chiffre : écrivez %02d:%s", t.text, hh, m)
	}
	return hh*60 + mm, nil
}
