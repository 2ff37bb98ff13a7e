// Package openinghours reads the OpenStreetMap opening_hours syntax as used
// in French open data about digital-mediation places (the `horaires` field
// of the national standard) and answers when a place is open.
//
// Supported: rule sequences with ";" and ",", "24/7", weekdays (Mo-Fr,
// Fr-Mo, Mo,We), the n-th weekday of the month (Sa[1], Mo[-1], Sa[1,3],
// Sa[1-2]), public holidays (PH, French national calendar), school holidays
// (SH: accepted, never matching, since we do not know the school calendars
// of each zone), months and dates (Jul-Aug, Jul,Aug, Dec 25, Dec 24-26,
// Jan 01-Jan 07, Nov-Feb), time spans with overnight spill (22:00-02:00),
// the modifiers off / closed / open / unknown, and comments in double
// quotes.
//
// Refused with a French message: fallback rules ("||"), week numbers,
// years, "easter", open ends ("18:00+"), sunrise/sunset, and hours beyond
// 24:00 ("22:00-26:00"; write "22:00-02:00").
//
// Meaning, following the OSM specification:
//   - a rule after ";" that selects a day replaces everything earlier rules
//     said about that day, including the part of the previous night's span
//     that spills into it ("Fr 22:00-02:00; Sa 10:00-12:00" is closed on
//     Saturday at 01:00; "Sa 10:00-12:00; Fr 22:00-02:00" is open);
//   - a rule after "," (an additional rule) adds to the day instead;
//   - "off" only closes the hours it names, the whole day when it names
//     none, and never replaces anything else;
//   - "unknown", and a rule that has a comment but neither hours nor a
//     modifier (`Mo "sur rendez-vous"`, `"sur rendez-vous"`), replace like
//     an open rule but count as closed: we cannot promise the place is open.
package openinghours

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseError is a syntax error, with the byte offset where it was found
// and a French message for the person who typed the hours. Error prints
// the offset as is (0 = first byte), after "horaires : position"; the
// message quotes the faulty text, which matters more to a reader than
// the number.
type ParseError struct {
	Pos int // byte offset in the parsed string
	Msg string
}

func (e *ParseError) Error() string {
	if e.Msg == msgEmpty {
		return "horaires : " + msgEmpty
	}
	return fmt.Sprintf("horaires : position %d : %s", e.Pos, e.Msg)
}

const msgEmpty = "texte vide"

type tokKind int

const (
	tWord   tokKind = iota // letters: Mo, PH, Jan, off, or a French word we give a hint for
	tNum                   // digits
	tTime                  // digits ':' digits, checked by the parser
	tPunct                 // one of - , ; [ ] / + | :
	tString                // "comment", text without the quotes
	tEOF
)

type token struct {
	kind tokKind
	text string
	pos  int
}

// end is the byte offset just after the token in the source.
func (t token) end() int {
	if t.kind == tString {
		return t.pos + len(t.text) + 2
	}
	return t.pos + len(t.text)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digitsEnd(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

func lex(s string) ([]token, error) {
	toks := make([]token, 0, len(s)/2+2) // a token takes two bytes or more, with few exceptions
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r): // includes the no-break spaces of French typography
			i += size
		case r == '"':
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				return nil, &ParseError{i, "commentaire non fermé : il manque le guillemet final \""}
			}
			if end == 0 {
				return nil, &ParseError{i, "commentaire vide \"\" : retirez-le ou écrivez le texte entre les guillemets"}
			}
			toks = append(toks, token{tString, s[i+1 : i+1+end], i})
			i += end + 2
		case unicode.IsLetter(r):
			j := i
			for j < len(s) {
				r, size := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsLetter(r) {
					break
				}
				j += size
			}
			toks = append(toks, token{tWord, s[i:j], i})
			i = j
		case isDigit(s[i]):
			j := digitsEnd(s, i)
			switch {
			case j+1 < len(s) && s[j] == ':' && isDigit(s[j+1]):
				k := digitsEnd(s, j+1)
				toks = append(toks, token{tTime, s[i:k], i})
				i = k
			case j < len(s) && (s[j] == 'h' || s[j] == 'H'):
				return nil, frenchClockError(s, i, j)
			default:
				toks = append(toks, token{tNum, s[i:j], i})
				i = j
			}
		case strings.ContainsRune("-,;[]/+|:", r):
			toks = append(toks, token{tPunct, s[i : i+1], i})
			i++
		case r == '–' || r == '—' || r == '−':
			return nil, &ParseError{i, fmt.Sprintf("tiret « %c » : utilisez le tiret simple « - »", r)}
		case r == '“' || r == '”' || r == '«' || r == '»':
			return nil, &ParseError{i, fmt.Sprintf("guillemet « %c » : un commentaire s'écrit entre guillemets droits \"…\"", r)}
		case unicode.IsPrint(r):
			return nil, &ParseError{i, fmt.Sprintf("caractère « %c » inattendu", r)}
		default:
			return nil, &ParseError{i, fmt.Sprintf("caractère invisible %U inattendu", r)}
		}
	}
	return append(toks, token{tEOF, "", len(s)}), nil
}

// frenchClockError explains how to write "9h", "9h30" or "24h/24" in OSM
// form; the digits are s[i:j] and s[j] is the "h".
func frenchClockError(s string, i, j int) error {
	k := digitsEnd(s, j+1)
	text := s[i:k]
	if strings.HasPrefix(strings.ToLower(s[i:]), "24h/24") {
		return &ParseError{i, "« 24h/24 » au format français : écrivez 24/7 (ou Mo-Su 00:00-24:00)"}
	}
	hh, err1 := strconv.Atoi(s[i:j])
	mm, err2 := 0, error(nil)
	if k > j+1 {
		mm, err2 = strconv.Atoi(s[j+1 : k])
	}
	if err1 != nil || err2 != nil || hh > 24 || mm > 59 || k-j-1 > 2 {
		return &ParseError{i, fmt.Sprintf("heure invalide « %s » (attendu HH:MM entre 00:00 et 24:00)", text)}
	}
	return &ParseError{i, fmt.Sprintf("heure « %s » au format français : écrivez %02d:%02d (format HH:MM)", text, hh, mm)}
}

var weekdayCodes = map[string]int{"Mo": 0, "Tu": 1, "We": 2, "Th": 3, "Fr": 4, "Sa": 5, "Su": 6}
var weekdayNames = [7]string{"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"}

var monthCodes = map[string]int{"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12}
var monthNames = [13]string{"", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
var monthNamesFR = [13]string{"", "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
var monthLength = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// frenchDays maps what people type in French (lower-cased) to the weekday,
// for the hint in the error message.
var frenchDays = map[string]int{
	"lu": 0, "lun": 0, "lundi": 0, "ma": 1, "mar": 1, "mardi": 1, "me": 2, "mer": 2, "mercredi": 2,
	"je": 3, "jeu": 3, "jeudi": 3, "ve": 4, "ven": 4, "vendredi": 4, "sa": 5, "sam": 5, "samedi": 5,
	"di": 6, "dim": 6, "dimanche": 6,
}

var modifiers = map[string]modifier{"open": modOpen, "off": modOff, "closed": modOff, "unknown": modUnknown}

type modifier int

const (
	modOpen modifier = iota
	modOff
	modUnknown
)

var modifierNames = [...]string{modOpen: "open", modOff: "off", modUnknown: "unknown"}

// monthRange is a range of dates within a year, wrapping over the new year
// when it ends before it starts (Nov-Feb, Dec 24-Jan 02); day 0 means
// from the start or to the end of the month.
type monthRange struct {
	fromMonth, fromDay, toMonth, toDay int
}

// dayItem selects a weekday range, possibly wrapping (Fr-Mo), optionally
// only its n-th occurrences in the month; or, with holiday set, the public
// ("PH") or school ("SH") holidays.
type dayItem struct {
	from, to int    // weekday range, 0 = Monday
	nth      []int  // 1..5 or -1..-5 (from the end of the month); nil = every week
	holiday  string // "PH" or "SH" instead of weekdays
}

type rule struct {
	additional bool // joined to the previous rule by ","
	all        bool // written "24/7"
	months     []monthRange
	days       []dayItem
	// intersect: "SH Mo-Fr", the days must match one of the holiday items
	// and one of the weekday items (which follow the holidays in days);
	// otherwise one matching item is enough ("Su,PH").
	intersect bool
	spans     []Interval // as written; End may exceed 1440 for an overnight span
	mod       modifier
	explicit  bool // the modifier was written
	comment   string

	// Derived from spans by finish, for evaluation: the part of the spans
	// within the selected day, and what spills into the next one.
	today, spill []Interval
}

type parser struct {
	src  string
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }

// peekAt looks k tokens ahead; past the end it sees the final tEOF.
func (p *parser) peekAt(k int) token { return p.toks[min(p.i+k, len(p.toks)-1)] }

// next consumes a token; it stays on the final tEOF.
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) is(kind tokKind, text string) bool {
	t := p.peek()
	return t.kind == kind && t.text == text
}

// source is the text from token a to token b, for quoting in messages.
func (p *parser) source(a, b token) string { return p.src[a.pos:b.end()] }

func errAt(t token, format string, args ...any) error {
	return &ParseError{t.pos, fmt.Sprintf(format, args...)}
}

// Parse reads an opening_hours string. The empty string is an error:
// callers decide whether hours are optional.
func Parse(s string) (*Hours, error) {
	if strings.TrimSpace(s) == "" {
		return nil, &ParseError{0, msgEmpty}
	}
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{src: s, toks: toks}
	h := &Hours{rules: make([]rule, 0, 1+strings.Count(s, ";"))}
	additional := false
	for {
		r, err := p.rule()
		if err != nil {
			return nil, err
		}
		r.additional = additional
		r.finish()
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
		case t.kind == tTime:
			return nil, errAt(t, "« %s » inattendu : séparez les plages horaires par une virgule (09:00-12:00,14:00-18:00)", t.text)
		case t.kind == tPunct && t.text == ":":
			return nil, errAt(t, "« : » inattendu : pas de deux-points après les jours (Mo-Fr 09:00-12:00)")
		case t.kind == tWord:
			return nil, unexpectedWord(t, r.months != nil || r.days != nil || r.spans != nil)
		case t.kind == tString:
			return nil, errAt(t, "second commentaire « %s » inattendu : un seul commentaire par règle", t.text)
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
	if start.kind == tNum && p.peekAt(1).kind == tPunct && p.peekAt(1).text == "/" {
		if start.text == "24" && p.peekAt(2).kind == tNum && p.peekAt(2).text == "7" {
			p.i += 3
			r.all = true
			r.spans = []Interval{{0, 1440}}
			return r, p.tail(&r)
		}
		return r, errAt(start, "« %s/… » inattendu (seul « 24/7 » est accepté)", start.text)
	}
	if n, err := strconv.Atoi(start.text); start.kind == tNum && len(start.text) == 4 && err == nil && n >= 1900 {
		return r, errAt(start, "les années (« %s ») ne sont pas prises en charge : retirez l'année", start.text)
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
	if r.months == nil && r.days == nil && r.spans == nil && !r.explicit && r.comment == "" {
		t := p.peek()
		if t.kind == tEOF {
			return r, errAt(t, "règle vide")
		}
		return r, errAt(t, "« %s » inattendu (attendu un jour comme Mo, une heure comme 09:00 ou « off »)", t.text)
	}
	if r.spans == nil && !r.explicit && r.comment != "" {
		// `Mo "sur rendez-vous"` does not say the place is open all day.
		r.mod = modUnknown
	}
	return r, nil
}

// finish computes the evaluation form of the spans.
func (r *rule) finish() {
	if r.spans == nil {
		r.today = []Interval{{0, 1440}}
		return
	}
	var today, spill []Interval
	for _, s := range r.spans {
		today = append(today, Interval{s.Start, min(s.End, 1440)})
		if s.End > 1440 {
			spill = append(spill, Interval{0, s.End - 1440})
		}
	}
	r.today, r.spill = union(nil, today), union(nil, spill)
}

// tail reads the optional modifier and comment of a rule.
func (p *parser) tail(r *rule) error {
	if t := p.peek(); t.kind == tWord {
		m, ok := modifiers[t.text]
		if !ok {
			return unexpectedWord(t, r.months != nil || r.days != nil || r.spans != nil)
		}
		p.next()
		r.mod, r.explicit = m, true
	}
	if t := p.peek(); t.kind == tString {
		r.comment = p.next().text
	}
	return nil
}

// unexpectedWord explains a word the grammar does not allow where it
// stands; afterSelector tells whether the rule already has a selector,
// so that the word cannot be its day.
func unexpectedWord(t token, afterSelector bool) error {
	w := t.text
	switch {
	case w == "sunrise" || w == "sunset" || w == "dawn" || w == "dusk":
		return errAt(t, "heures solaires (« %s ») non prises en charge : indiquez des heures HH:MM", w)
	case w == "week":
		return errAt(t, "sélecteur de semaines non pris en charge (« week »)")
	case w == "easter":
		return errAt(t, "dates relatives à Pâques (« easter ») non prises en charge")
	case isDayWord(t):
		return errAt(t, "jour « %s » inattendu ici : séparez les jours par une virgule (Mo,Tu) et les règles par « ; »", w)
	case monthCodes[w] > 0:
		return errAt(t, "mois « %s » inattendu ici : les mois se placent avant les jours (Jul-Aug Mo-Fr 09:00-12:00)", w)
	case isClosedWordFR(w):
		return errAt(t, "« %s » : écrivez off (ou closed) pour fermé", w)
	case !afterSelector:
		return unknownDay(t, "jour inconnu « %s »")
	}
	return errAt(t, "« %s » inattendu (attendu une plage horaire HH:MM-HH:MM, off, open, unknown ou un commentaire entre guillemets)", w)
}

func isClosedWordFR(w string) bool {
	switch strings.ToLower(w) {
	case "fermé", "ferme", "fermée", "fermeture":
		return true
	}
	return false
}

// unknownDay builds the message for a word that should have been a day,
// with a hint for French day names and wrong letter case.
func unknownDay(t token, format string) error {
	msg := fmt.Sprintf(format, t.text) + " (attendu Mo, Tu, We, Th, Fr, Sa, Su ou PH)"
	lower := strings.ToLower(t.text)
	if d, ok := frenchDays[lower]; ok {
		msg += fmt.Sprintf(" ; les jours s'écrivent en anglais : %s pour %s", weekdayNames[d], DayNamesFR[d])
	} else if lower == "jf" || strings.HasPrefix(lower, "féri") || strings.HasPrefix(lower, "feri") {
		msg += " ; les jours fériés s'écrivent PH"
	} else if fixed := fixCase(t.text); fixed != "" {
		msg += " ; attention aux majuscules : " + fixed
	}
	return errAt(t, "%s", msg)
}

// fixCase returns the day code a word means with the wrong letter case
// ("mo", "MO", "ph"), or "".
func fixCase(w string) string {
	if len(w) != 2 {
		return ""
	}
	if u := strings.ToUpper(w); u == "PH" || u == "SH" {
		return u
	}
	c := strings.ToUpper(w[:1]) + strings.ToLower(w[1:])
	if _, ok := weekdayCodes[c]; ok {
		return c
	}
	return ""
}

func (p *parser) months(r *rule) error {
	for {
		start := p.peek()
		m := monthCodes[start.text]
		if start.kind != tWord || m == 0 {
			break
		}
		p.next()
		mr := monthRange{fromMonth: m, toMonth: m}
		if p.peek().kind == tNum {
			d, err := p.monthDay(m)
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
				mr.toMonth, mr.toDay = monthCodes[t.text], 0
				if p.peek().kind == tNum {
					d, err := p.monthDay(mr.toMonth)
					if err != nil {
						return err
					}
					mr.toDay = d
				}
				if (mr.fromDay == 0) != (mr.toDay == 0) {
					return errAt(t, "plage de dates incohérente « %s » : donnez le jour aux deux bornes ou à aucune", p.source(start, p.toks[p.i-1]))
				}
			case t.kind == tNum && mr.fromDay > 0:
				d, err := p.monthDay(mr.toMonth)
				if err != nil {
					return err
				}
				mr.toDay = d
			case start.text == "Mar" && t.kind == tWord:
				return errAt(start, "« Mar » est le mois de mars ; pour mardi, écrivez Tu (les jours s'écrivent en anglais)")
			default:
				return errAt(t, "fin de période attendue après « %s- » (par exemple Jul-Aug ou Dec 24-26)", p.source(start, p.toks[p.i-2]))
			}
			if mr.fromMonth == mr.toMonth && mr.fromDay > mr.toDay {
				return errAt(start, "plage de dates inversée « %s »", p.source(start, p.toks[p.i-1]))
			}
		}
		r.months = append(r.months, mr)
		if !p.is(tPunct, ",") || monthCodes[p.peekAt(1).text] == 0 || p.peekAt(1).kind != tWord {
			break
		}
		p.next()
	}
	if r.months != nil && p.is(tPunct, ":") {
		// The specification allows "Jul-Aug: Mo-Fr 10:00-12:00". Something
		// of the same rule must follow, or String could not write the rule
		// back without the colon and keep its meaning before a ",".
		colon := p.next()
		if t := p.peek(); t.kind == tEOF || t.kind == tPunct {
			return errAt(colon, "« : » doit être suivi des jours ou des heures de la même règle")
		}
	}
	return nil
}

func (p *parser) monthDay(month int) (int, error) {
	t := p.next()
	d, err := strconv.Atoi(t.text)
	if err != nil || d < 1 || d > monthLength[month] || len(t.text) > 2 {
		return 0, errAt(t, "jour « %s » invalide en %s (%s)", t.text, monthNamesFR[month], monthNames[month])
	}
	return d, nil
}

func isDayWord(t token) bool {
	_, ok := weekdayCodes[t.text]
	return t.kind == tWord && (ok || t.text == "PH" || t.text == "SH")
}

func (p *parser) weekdays(r *rule) error {
	for {
		t := p.peek()
		if !isDayWord(t) {
			return nil
		}
		if t.text == "PH" || t.text == "SH" {
			if r.intersect {
				return errAt(t, "« %s » doit être placé avant les jours (SH Mo-Fr)", t.text)
			}
			p.next()
			r.days = append(r.days, dayItem{holiday: t.text})
		} else {
			item, err := p.weekdayRange()
			if err != nil {
				return err
			}
			r.days = append(r.days, item)
		}
		if p.is(tPunct, ",") && isDayWord(p.peekAt(1)) {
			p.next()
			continue
		}
		if next := p.peek(); !r.intersect && isDayWord(next) && next.text != "PH" && next.text != "SH" && onlyHolidays(r.days) {
			// "SH Mo-Fr": the weekdays within the holidays.
			r.intersect = true
			continue
		}
		return nil
	}
}

func onlyHolidays(items []dayItem) bool {
	for _, d := range items {
		if d.holiday == "" {
			return false
		}
	}
	return true
}

func (p *parser) weekdayRange() (dayItem, error) {
	first := p.next()
	item := dayItem{from: weekdayCodes[first.text]}
	item.to = item.from
	if p.is(tPunct, "-") {
		p.next()
		u := p.next()
		d, ok := weekdayCodes[u.text]
		if u.kind != tWord || !ok {
			if u.kind == tEOF {
				return item, errAt(u, "jour de fin attendu après « %s- »", first.text)
			}
			return item, unknownDay(u, "jour de fin « %s » inconnu")
		}
		item.to = d
	}
	if !p.is(tPunct, "[") {
		return item, nil
	}
	open := p.next()
	for {
		a, err := p.nth()
		if err != nil {
			return item, err
		}
		if p.is(tPunct, "-") && a > 0 {
			p.next()
			b, err := p.nth()
			if err != nil {
				return item, err
			}
			if b < a {
				return item, errAt(open, "rangs inversés « %s »", p.source(open, p.toks[p.i-1]))
			}
			for n := a; n <= b; n++ {
				item.nth = append(item.nth, n)
			}
		} else {
			item.nth = append(item.nth, a)
		}
		if p.is(tPunct, "]") {
			p.next()
			return item, nil
		}
		if !p.is(tPunct, ",") {
			return item, errAt(p.peek(), "« ] » attendu pour fermer les rangs ouverts par « [ »")
		}
		p.next()
	}
}

// nth reads one rank between brackets: 1..5, or -1..-5 from the end.
func (p *parser) nth() (int, error) {
	neg := false
	if p.is(tPunct, "-") {
		p.next()
		neg = true
	}
	u := p.next()
	n, err := strconv.Atoi(u.text)
	if u.kind != tNum || err != nil || n < 1 || n > 5 {
		return 0, errAt(u, "rang « %s » invalide entre crochets (attendu 1 à 5, ou -1 à -5 en partant de la fin du mois)", u.text)
	}
	if neg {
		n = -n
	}
	return n, nil
}

func (p *parser) times(r *rule) error {
	for {
		t := p.peek()
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
		if u.kind == tWord && (u.text == "sunrise" || u.text == "sunset" || u.text == "dawn" || u.text == "dusk") {
			return unexpectedWord(u, true)
		}
		if u.kind != tTime {
			return errAt(u, "heure de fin attendue après « %s- » (format HH:MM)", t.text)
		}
		end, err := clock(u, true)
		if err != nil {
			return err
		}
		if p.is(tPunct, "+") {
			return errAt(p.peek(), "heure de fin ouverte non prise en charge (« %s-%s+ ») : retirez le « + »", t.text, u.text)
		}
		if end == start {
			return errAt(t, "plage horaire vide ou inversée « %s »", p.source(t, u))
		}
		if end < start {
			end += 1440 // overnight: spills into the next day
		}
		r.spans = append(r.spans, Interval{start, end})
		if !p.is(tPunct, ",") || p.peekAt(1).kind != tTime {
			return nil
		}
		p.next()
	}
}

// clock reads HH:MM as minutes since midnight; 24:00 is allowed as an end.
func clock(t token, end bool) (int, error) {
	h, m, _ := strings.Cut(t.text, ":") // the lexer guarantees the colon
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || len(h) > 2 || len(m) != 2 || mm > 59 || hh > 24 || hh == 24 && mm != 0 {
		return 0, errAt(t, "heure invalide « %s » (attendu HH:MM entre 00:00 et 24:00)", t.text)
	}
	if hh == 24 && !end {
		return 0, errAt(t, "heure invalide « %s » en début de plage : 24:00 n'est permis qu'en fin de plage (écrivez 00:00)", t.text)
	}
	if len(h) != 2 {
		return 0, errAt(t, "heure « %s » sur un chiffre : écrivez %02d:%s (format HH:MM)", t.text, hh, m)
	}
	return hh*60 + mm, nil
}
