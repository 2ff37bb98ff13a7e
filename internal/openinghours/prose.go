package openinghours

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FromFrench reads opening hours written in French ("du lundi au vendredi
// de 9h à 12h et de 14h à 17h, le samedi de 9h à 12h") and returns the
// equivalent OpenStreetMap opening_hours ("Mo-Fr 09:00-12:00,14:00-17:00;
// Sa 09:00-12:00"). It refuses (error with a French message saying why,
// quoting the text) whatever is ambiguous or not understood.
//
// Being conservative is the point: the census spreadsheets it reads are
// published, and a dropped "sauf" or "fermé" would publish wrong hours.
// So every word must be understood, except a few fillers ("horaires",
// "ouvert", "le", "de"…), and a day given hours twice is refused rather
// than guessed (added to, or replacing, the first hours?).
func FromFrench(text string) (string, error) {
	if strings.TrimSpace(text) == "" {
		return "", &proseError{why: "texte vide"}
	}
	toks, err := lexFrench(text)
	if err != nil {
		return "", err
	}
	p := &proseParser{src: text, toks: toks}
	if err := p.refusedVocabulary(); err != nil {
		return "", err
	}
	if err := p.parse(); err != nil {
		return "", err
	}
	s, err := p.schedule()
	if err != nil {
		return "", err
	}
	out := s.String()
	// The output must be read back by Parse with the meaning we built:
	// a mismatch is a bug here, never something to publish.
	h, err := Parse(out)
	if err != nil {
		return "", &proseError{quote: out, why: fmt.Sprintf("conversion refusée par le contrôle des horaires (%v)", err)}
	}
	got := h.RegularWeek()
	for d := range got {
		if !slices.Equal(got[d], s.week[d]) {
			return "", &proseError{quote: out, why: "conversion incohérente avec le texte : horaires à saisir à la main"}
		}
	}
	return out, nil
}

// proseError is a refusal of FromFrench: the text in question and why, in
// French, for the person who typed the hours.
type proseError struct {
	quote string
	why   string
}

func (e *proseError) Error() string {
	if e.quote == "" {
		return e.why
	}
	return "« " + e.quote + " » : " + e.why
}

type proseKind int

const (
	pWord    proseKind = iota // letters, folded: lower case, no accents
	pNum                      // digits alone: "9" in "9-12h", "7" in "7j/7"
	pTime                     // 9h, 9h30, 9 h 30, 09:00, 9.30
	pOrdinal                  // 1er, 3e, 2ème
	pPunct                    // , ; . : / - ( ) & • and line breaks ("\n")
	pEOF
)

type proseToken struct {
	kind       proseKind
	text       string // words folded; punctuation as written, dashes as "-"
	val        int    // pNum: the number; pTime: minutes since midnight; pOrdinal: the rank
	start, end int    // byte offsets in the source
}

func (t proseToken) isWord(words ...string) bool {
	return t.kind == pWord && slices.Contains(words, t.text)
}

func (t proseToken) isPunct(marks ...string) bool {
	return t.kind == pPunct && slices.Contains(marks, t.text)
}

// fold lower-cases a word and removes its accents, so that "Été", "ete"
// and "été" read the same; combining accents (decomposed text) vanish.
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case 'à', 'â', 'ä':
			r = 'a'
		case 'é', 'è', 'ê', 'ë':
			r = 'e'
		case 'î', 'ï':
			r = 'i'
		case 'ô', 'ö':
			r = 'o'
		case 'ù', 'û', 'ü':
			r = 'u'
		case 'ç':
			r = 'c'
		case 'ÿ':
			r = 'y'
		case 'œ':
			b.WriteString("oe")
			continue
		case 'æ':
			b.WriteString("ae")
			continue
		}
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) }

func wordEnd(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			break
		}
		i += size
	}
	return i
}

// skipBlanks skips spaces within a line.
func skipBlanks(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '\n' || r == '\r' || !unicode.IsSpace(r) {
			break
		}
		i += size
	}
	return i
}

// compoundWords are read as one word despite their hyphen; any other
// hyphen between words is a dash ("lundi-vendredi").
var compoundWords = map[string]bool{
	"week-end": true, "week-ends": true, "apres-midi": true, "apres-midis": true, "rendez-vous": true, "non-stop": true,
}

func lexFrench(s string) ([]proseToken, error) {
	var toks []proseToken
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\n' || r == '\r':
			toks = append(toks, proseToken{kind: pPunct, text: "\n", start: i, end: i + size})
			i += size
		case unicode.IsSpace(r), r == '\'', r == '’':
			// An apostrophe only elides: l'accueil, d'ouverture, jusqu'à.
			i += size
		case isWordRune(r):
			t := lexWord(s, i)
			toks = append(toks, t)
			i = t.end
		case isDigit(s[i]):
			t, err := lexNumber(s, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i = t.end
		case strings.ContainsRune(",;.:/-()&•", r):
			toks = append(toks, proseToken{kind: pPunct, text: string(r), start: i, end: i + size})
			i += size
		case r == '–' || r == '—' || r == '−' || r == '‑':
			toks = append(toks, proseToken{kind: pPunct, text: "-", start: i, end: i + size})
			i += size
		default:
			return nil, &proseError{quote: string(r), why: "caractère non compris"}
		}
	}
	return append(toks, proseToken{kind: pEOF, start: len(s), end: len(s)}), nil
}

func lexWord(s string, i int) proseToken {
	j := wordEnd(s, i)
	w := fold(s[i:j])
	if j+1 < len(s) && s[j] == '-' {
		if k := wordEnd(s, j+1); k > j+1 && compoundWords[w+"-"+fold(s[j+1:k])] {
			w, j = w+"-"+fold(s[j+1:k]), k
		}
	}
	if _, ok := proseDays[w]; ok && len(w) == 3 && j < len(s) && s[j] == '.' {
		j++ // the dot of an abbreviated day: "lun.", "ven."
	}
	return proseToken{kind: pWord, text: w, start: i, end: j}
}

var hourWords = map[string]bool{"h": true, "heure": true, "heures": true}

var ordinalSuffixes = map[string]bool{"er": true, "ere": true, "re": true, "e": true, "eme": true, "nd": true, "nde": true}

// lexNumber reads digits: a time ("9h", "9h30", "9 h 30", "09:00",
// "9.30"), an ordinal ("1er", "3e") or a plain number.
func lexNumber(s string, i int) (proseToken, error) {
	j := digitsEnd(s, i)
	if j-i > 4 {
		return proseToken{}, &proseError{quote: s[i:j], why: "nombre non compris"}
	}
	n, _ := strconv.Atoi(s[i:j])
	switch {
	case j+1 < len(s) && s[j] == ':' && isDigit(s[j+1]):
		k := digitsEnd(s, j+1)
		return clockToken(s, i, k, n, s[j+1:k])
	case j+1 < len(s) && s[j] == '.' && isDigit(s[j+1]):
		// "9.30" only with two digits after the dot, and not in a date
		// such as "01.09.2025".
		if k := digitsEnd(s, j+1); k-j-1 == 2 && (k == len(s) || s[k] != '.') {
			return clockToken(s, i, k, n, s[j+1:k])
		}
	}
	ws := skipBlanks(s, j)
	we := wordEnd(s, ws)
	w := fold(s[ws:we])
	switch {
	case hourWords[w]:
		if we < len(s) && isDigit(s[we]) {
			k := digitsEnd(s, we)
			return clockToken(s, i, k, n, s[we:k])
		}
		// "9 h 30": two digits after a space are minutes unless they
		// start another time ("9h 14h").
		if q := skipBlanks(s, we); q < len(s) && isDigit(s[q]) {
			k := digitsEnd(s, q)
			after := skipBlanks(s, k)
			if k-q == 2 && !hourWords[fold(s[after:wordEnd(s, after)])] && (after == len(s) || s[after] != ':' && s[after] != '.') {
				return clockToken(s, i, k, n, s[q:k])
			}
		}
		return clockToken(s, i, we, n, "")
	case ws == j && ordinalSuffixes[w]:
		return proseToken{kind: pOrdinal, text: s[i:we], val: n, start: i, end: we}, nil
	}
	return proseToken{kind: pNum, text: s[i:j], val: n, start: i, end: j}, nil
}

// clockToken checks the time s[i:end] whose hour is hh and minutes mm
// ("" for none).
func clockToken(s string, i, end, hh int, mm string) (proseToken, error) {
	m, err := strconv.Atoi(mm)
	if mm == "" {
		m, err = 0, nil
	}
	if err != nil || mm != "" && len(mm) != 2 || hh > 24 || m > 59 || hh == 24 && m != 0 {
		return proseToken{}, &proseError{quote: s[i:end], why: "heure invalide (attendu entre 0h et 24h)"}
	}
	return proseToken{kind: pTime, text: s[i:end], val: hh*60 + m, start: i, end: end}, nil
}

// proseDays maps day names, plurals and abbreviations to weekdays, Monday 0.
var proseDays = map[string]int{
	"lundi": 0, "lundis": 0, "lun": 0,
	"mardi": 1, "mardis": 1, "mar": 1,
	"mercredi": 2, "mercredis": 2, "mer": 2,
	"jeudi": 3, "jeudis": 3, "jeu": 3,
	"vendredi": 4, "vendredis": 4, "ven": 4,
	"samedi": 5, "samedis": 5, "sam": 5,
	"dimanche": 6, "dimanches": 6, "dim": 6,
}

var ordinalWords = map[string]int{
	"premier": 1, "premiere": 1, "deuxieme": 2, "second": 2, "seconde": 2, "troisieme": 3,
	"quatrieme": 4, "cinquieme": 5, "dernier": -1, "derniere": -1,
}

// fillerWords add nothing to the hours: "Horaires d'ouverture : le lundi de 9h à 12h".
var fillerWords = map[string]bool{
	"le": true, "la": true, "les": true, "l": true, "de": true, "d": true, "du": true, "des": true,
	"ouvert": true, "ouverte": true, "ouverts": true, "ouvertes": true, "ouverture": true,
	"horaires": true, "horaire": true, "heures": true, "accueil": true, "public": true,
	"uniquement": true, "seulement": true, "inclus": true, "non-stop": true, "nonstop": true,
}

var closingWords = []string{"ferme", "fermee", "fermes", "fermees", "fermeture", "clos", "close"}

var exceptionWords = []string{"sauf", "excepte"}

const allDays = 0b1111111

// nthDay is the rank-th given weekday of the month (rank -1: the last).
type nthDay struct{ day, rank int }

// daySel is what a phrase like "du lundi au vendredi" selects.
type daySel struct {
	mask  uint8 // weekdays, bit 0 = Monday
	named uint8 // the days named one by one: closing one of them is a contradiction
	nth   []nthDay
	// holidays: "jours fériés", understood only as closed.
	holidays   bool
	start, end int // source, for messages
}

type clause struct {
	sel    daySel
	spans  []Interval // sorted, merged
	closed bool
}

type proseParser struct {
	src     string
	toks    []proseToken
	i       int
	clauses []clause
}

func (p *proseParser) peek() proseToken { return p.toks[p.i] }

func (p *proseParser) peekAt(k int) proseToken { return p.toks[min(p.i+k, len(p.toks)-1)] }

func (p *proseParser) next() proseToken {
	t := p.toks[p.i]
	if t.kind != pEOF {
		p.i++
	}
	return t
}

// last is the token just consumed.
func (p *proseParser) last() proseToken { return p.toks[max(p.i-1, 0)] }

// refuse quotes the source from byte start to byte end.
func (p *proseParser) refuse(start, end int, format string, args ...any) error {
	return &proseError{quote: strings.Join(strings.Fields(p.src[start:end]), " "), why: fmt.Sprintf(format, args...)}
}

func (p *proseParser) skipFillers() {
	for {
		t := p.peek()
		switch {
		case t.kind == pWord && fillerWords[t.text]:
			p.next()
		case t.isWord("au") && p.peekAt(1).isWord("public"):
			p.i += 2
		default:
			return
		}
	}
}

// skipSeparators skips what may stand between rules, between days and
// hours, or between two spans: punctuation, line breaks, "et", fillers.
func (p *proseParser) skipSeparators() {
	for {
		p.skipFillers()
		if t := p.peek(); t.kind != pPunct && !t.isWord("et", "puis") {
			return
		}
		p.next()
	}
}

// refusedVocabulary looks for words that say the hours cannot be
// converted, before parsing, so that their message wins over the
// grammar's.
func (p *proseParser) refusedVocabulary() error {
	hasTime := slices.ContainsFunc(p.toks, func(t proseToken) bool { return t.kind == pTime })
	for k, t := range p.toks {
		prev, next := p.toks[max(k-1, 0)], p.toks[min(k+1, len(p.toks)-1)]
		switch {
		case t.isWord("rendez-vous", "rendez", "rdv"):
			start, end := t.start, t.end
			if t.text == "rendez" && next.isWord("vous") {
				end = next.end
			}
			if k > 0 && prev.isWord("sur") {
				start = prev.start
			}
			if hasTime {
				return p.refuse(start, end, "mention non convertible : saisir les horaires d'ouverture sans elle et indiquer le rendez-vous à part")
			}
			return p.refuse(start, end, "pas d'horaires précis à convertir")
		case t.isWord("variable", "variables", "varient", "variant"):
			start := t.start
			if k > 0 && prev.isWord("horaires", "horaire") {
				start = prev.start
			}
			return p.refuse(start, t.end, "pas d'horaires précis à convertir")
		case t.isWord("vacances", "scolaire", "scolaires"):
			start, end := t.start, t.end
			if t.text == "vacances" && next.isWord("scolaires", "scolaire") {
				end = next.end
			}
			return p.refuse(start, end, "horaires de vacances non pris en charge : saisir les horaires habituels")
		case t.kind == pWord && calendarWords[t.text]:
			return p.refuse(t.start, t.end, "périodes de l'année non prises en charge : saisir les horaires habituels")
		}
	}
	return nil
}

// calendarWords name periods of the year, which FromFrench does not convert.
var calendarWords = map[string]bool{
	"ete": true, "hiver": true, "printemps": true, "automne": true, "saison": true, "periode": true,
	"janvier": true, "fevrier": true, "mars": true, "avril": true, "mai": true, "juin": true, "juillet": true,
	"aout": true, "septembre": true, "octobre": true, "novembre": true, "decembre": true,
}

func (p *proseParser) parse() error {
	for {
		p.skipSeparators()
		if p.peek().kind == pEOF {
			return nil
		}
		if err := p.statement(); err != nil {
			return err
		}
	}
}

// statement reads one rule: days then hours ("lundi de 9h à 12h"), hours
// then days ("de 9h à 12h du lundi au vendredi"), a closure ("fermé le
// mercredi", "mercredi : fermé") or an exception to the previous rule
// ("sauf le mercredi").
func (p *proseParser) statement() error {
	t := p.peek()
	switch {
	case p.isAlways():
		p.i += 3
		p.clauses = append(p.clauses, clause{sel: daySel{mask: allDays, start: t.start, end: p.last().end}, spans: []Interval{{0, 1440}}})
		return nil
	case t.isWord(closingWords...):
		word := p.next()
		p.skipFillers()
		if !p.atDays() {
			return p.refuse(word.start, word.end, "préciser les jours de fermeture (par exemple « fermé le mercredi »)")
		}
		sel, err := p.days(closedDays)
		if err != nil {
			return err
		}
		return p.addClosure(word.start, sel)
	case t.isWord(exceptionWords...):
		return p.lateException()
	case p.atDays():
		sel, err := p.days(ruleDays)
		if err != nil {
			return err
		}
		p.skipSeparators()
		if p.peek().isWord(closingWords...) {
			p.next()
			return p.addClosure(sel.start, sel)
		}
		if !p.atSpan() {
			return p.missing(sel.start, sel.end, "horaires non précisés (par exemple « lundi de 9h à 12h »)")
		}
		spans, err := p.spans()
		if err != nil {
			return err
		}
		p.clauses = append(p.clauses, clause{sel: sel, spans: spans})
		return nil
	case p.atSpan():
		start := t.start
		spans, err := p.spans()
		if err != nil {
			return err
		}
		end := p.last().end
		p.skipSeparators()
		if !p.atDays() {
			return p.missing(start, end, "jours non précisés (par exemple « du lundi au vendredi de 9h à 12h »)")
		}
		sel, err := p.days(trailingDays)
		if err != nil {
			return err
		}
		p.clauses = append(p.clauses, clause{sel: sel, spans: spans})
		return nil
	}
	return p.unknown(t)
}

// isAlways matches "24/7".
func (p *proseParser) isAlways() bool {
	t, u, v := p.peek(), p.peekAt(1), p.peekAt(2)
	return t.kind == pNum && t.val == 24 && u.isPunct("/") && v.kind == pNum && v.val == 7
}

// missing refuses days without hours, or hours without days, quoted from
// start to end; but when what follows is not understood, that is the
// reason to give ("lundi ou mardi").
func (p *proseParser) missing(start, end int, why string) error {
	t := p.peek()
	if t.kind == pEOF || p.atDays() || p.atSpan() || t.isWord(closingWords...) || t.isWord(exceptionWords...) {
		return p.refuse(start, end, "%s", why)
	}
	return p.unknown(t)
}

func (p *proseParser) unknown(t proseToken) error {
	switch {
	case t.isWord("a") && p.peekAt(1).isWord("partir"):
		return p.refuse(t.start, p.peekAt(1).end, "heure de fermeture manquante (par exemple 9h-12h)")
	case t.isWord("jusqu"):
		return p.refuse(t.start, t.end, "heure d'ouverture manquante (par exemple 9h-12h)")
	}
	switch t.kind {
	case pNum:
		return p.refuse(t.start, t.end, "nombre non compris (une heure s'écrit par exemple 9h ou 9h30)")
	case pOrdinal:
		return p.refuse(t.start, t.end, "préciser le jour (par exemple « le 1er samedi du mois »)")
	case pTime:
		return p.refuse(t.start, t.end, "heure non comprise ici")
	}
	return p.refuse(t.start, t.end, "mot non compris : rien n'est converti, pour ne pas publier d'horaires faux")
}

// addClosure records days said closed. Closing only part of a day ("fermé
// le lundi matin", "fermé le mercredi de 12h à 14h") is refused.
func (p *proseParser) addClosure(start int, sel daySel) error {
	save := p.i
	p.skipSeparators()
	if p.atSpan() {
		t := p.peek()
		return p.refuse(start, t.end, "fermeture partielle non prise en charge : indiquer seulement les heures d'ouverture")
	}
	p.i = save
	p.clauses = append(p.clauses, clause{sel: sel, closed: true})
	return nil
}

// lateException applies "sauf le mercredi" to the rule just read.
func (p *proseParser) lateException() error {
	word := p.next()
	if len(p.clauses) == 0 || p.clauses[len(p.clauses)-1].closed {
		return p.refuse(word.start, word.end, "exception sans horaires d'ouverture auxquels s'appliquer")
	}
	sel := p.clauses[len(p.clauses)-1].sel
	if err := p.exception(word, &sel); err != nil {
		return err
	}
	// exception may append closures: find the rule again by its position.
	for k := len(p.clauses) - 1; k >= 0; k-- {
		if !p.clauses[k].closed {
			p.clauses[k].sel = sel
			break
		}
	}
	save := p.i
	p.skipSeparators()
	if p.atSpan() {
		return p.refuse(word.start, p.toks[save-1].end, "exception suivie d'autres horaires, ambigu : donner les horaires de ce jour dans une règle à part (par exemple « samedi de 9h à 12h »)")
	}
	p.i = save
	return nil
}

// exception removes the days after "sauf" from sel; n-th weekdays and
// public holidays become closures.
func (p *proseParser) exception(word proseToken, sel *daySel) error {
	p.skipFillers()
	if !p.atDays() {
		return p.refuse(word.start, word.end, "préciser les jours exclus (par exemple « sauf le mercredi »)")
	}
	ex, err := p.days(excludedDays)
	if err != nil {
		return err
	}
	if ex.mask&^sel.mask != 0 {
		return p.refuse(ex.start, ex.end, "jour exclu qui n'est pas parmi les jours cités")
	}
	if d := firstDay(ex.mask & sel.named); d >= 0 {
		return p.refuse(sel.start, ex.end, "%s est à la fois cité et exclu", DayNamesFR[d])
	}
	for _, n := range ex.nth {
		if sel.mask&(1<<n.day) == 0 {
			return p.refuse(ex.start, ex.end, "jour exclu qui n'est pas parmi les jours cités")
		}
	}
	sel.mask &^= ex.mask
	if sel.mask == 0 && sel.nth == nil {
		return p.refuse(sel.start, ex.end, "tous les jours cités sont exclus")
	}
	if ex.nth != nil || ex.holidays {
		p.clauses = append(p.clauses, clause{sel: daySel{nth: ex.nth, holidays: ex.holidays, start: ex.start, end: ex.end}, closed: true})
	}
	return nil
}

func firstDay(mask uint8) int {
	for d := range 7 {
		if mask&(1<<d) != 0 {
			return d
		}
	}
	return -1
}

// atDays tells whether a day selection starts here.
func (p *proseParser) atDays() bool {
	t, u := p.peek(), p.peekAt(1)
	if t.kind == pOrdinal || p.sevenDays() > 0 {
		return true
	}
	if t.kind != pWord {
		return false
	}
	_, day := proseDays[t.text]
	_, ordinal := ordinalWords[t.text]
	_, uDay := proseDays[u.text]
	return day || ordinal || t.isWord("tous", "tlj", "week-end", "week-ends", "weekend", "weekends", "feries", "ferie", "jf") ||
		t.isWord("chaque") && (u.isWord("jour") || uDay && u.kind == pWord) ||
		t.isWord("en") && u.isWord("semaine") ||
		t.isWord("week") && u.isWord("end", "ends") ||
		t.isWord("jours", "jour") && u.isWord("feries", "ferie")
}

// sevenDays is the number of tokens of "7j/7", "7 jours sur 7", "7/7"
// here, or 0.
func (p *proseParser) sevenDays() int {
	if t := p.peek(); t.kind != pNum || t.val != 7 {
		return 0
	}
	k := 1
	if p.peekAt(k).isWord("j", "jours", "jrs") {
		k++
	}
	if !p.peekAt(k).isPunct("/") && !(k == 2 && p.peekAt(k).isWord("sur")) {
		return 0
	}
	k++
	if t := p.peekAt(k); t.kind != pNum || t.val != 7 {
		return 0
	}
	k++
	if p.peekAt(k).isWord("j", "jours", "jrs") {
		k++
	}
	return k
}

// dayList says where a list of days stands, which decides what may follow.
type dayList int

const (
	ruleDays     dayList = iota // days of an opening rule: "sauf" may follow
	trailingDays                // ruleDays after the hours ("de 9h à 12h le lundi")
	closedDays                  // after "fermé"
	excludedDays                // after "sauf"
	probedDays                  // read ahead by startsRule, which must not recurse
)

// days reads a list of days ("lundi, mardi et jeudi", "du lundi au
// vendredi", "le 1er samedi du mois"), then, for a rule, an exception
// ("tous les jours sauf le dimanche").
func (p *proseParser) days(list dayList) (daySel, error) {
	sel := daySel{start: p.peek().start}
	for {
		item, err := p.dayItem()
		if err != nil {
			return sel, err
		}
		if item.mask&sel.mask != 0 || slices.ContainsFunc(item.nth, func(n nthDay) bool { return slices.Contains(sel.nth, n) }) {
			return sel, p.refuse(item.start, item.end, "jour cité deux fois")
		}
		sel.mask |= item.mask
		sel.named |= item.named
		sel.nth = append(sel.nth, item.nth...)
		sel.holidays = sel.holidays || item.holidays
		sel.end = item.end
		save := p.i
		if p.peek().isPunct("/") {
			p.next()
			p.skipFillers()
			if p.atDays() {
				return sel, p.refuse(item.start, p.peek().end, "liste ou plage de jours ? écrire par exemple « lundi et mardi » ou « du lundi au vendredi »")
			}
			p.i = save
		}
		comma := false
		for t := p.peek(); t.isPunct(",", "&") || t.isWord("et") || t.kind == pWord && fillerWords[t.text]; t = p.peek() {
			comma = comma || t.isPunct(",")
			p.next()
		}
		if !p.atDays() || comma && list != ruleDays && list != probedDays && p.startsRule() {
			// "sauf le mercredi, le samedi de 9h à 12h": the comma ends
			// the list and the samedi starts a rule. Before the hours,
			// "lundi, mardi 9h-12h", the hours are for both.
			p.i = save
			break
		}
	}
	if list == ruleDays || list == trailingDays {
		save := p.i
		p.skipSeparators()
		if p.peek().isWord(exceptionWords...) {
			word := p.next()
			if err := p.exception(word, &sel); err != nil {
				return sel, err
			}
			sel.end = p.last().end
			return sel, nil
		}
		p.i = save
	}
	return sel, nil
}

// startsRule tells whether the days here are followed by hours.
func (p *proseParser) startsRule() bool {
	save := p.i
	defer func() { p.i = save }()
	if _, err := p.days(probedDays); err != nil {
		return false
	}
	p.skipSeparators()
	return p.atSpan()
}

// dayItem reads one day, range or named group of days.
func (p *proseParser) dayItem() (daySel, error) {
	t := p.peek()
	sel := daySel{start: t.start}
	if n := p.sevenDays(); n > 0 {
		p.i += n
		sel.mask, sel.end = allDays, p.last().end
		return sel, nil
	}
	switch {
	case t.isWord("tous"):
		p.next()
		p.skipFillers()
		if !p.peek().isWord("jours") {
			return sel, p.refuse(t.start, t.end, "préciser « tous les jours »")
		}
		p.next()
		sel.mask, sel.end = allDays, p.last().end
		save := p.i
		p.skipFillers()
		if p.peek().isWord("semaine") { // "tous les jours de la semaine"
			p.next()
			sel.end = p.last().end
		} else {
			p.i = save
		}
		return sel, nil
	case t.isWord("tlj"):
		p.next()
		sel.mask, sel.end = allDays, t.end
		return sel, nil
	case t.isWord("chaque") && p.peekAt(1).isWord("jour"):
		p.i += 2
		sel.mask, sel.end = allDays, p.last().end
		return sel, nil
	case t.isWord("chaque"):
		p.next() // "chaque lundi"
	case t.isWord("en"):
		p.i += 2 // "en semaine"
		sel.mask, sel.end = 0b0011111, p.last().end
		return sel, nil
	case t.isWord("week"):
		p.i += 2 // "week end"
		sel.mask, sel.end = 0b1100000, p.last().end
		return sel, nil
	case t.isWord("week-end", "week-ends", "weekend", "weekends"):
		p.next()
		sel.mask, sel.end = 0b1100000, t.end
		return sel, nil
	case t.isWord("jours", "jour"):
		p.i += 2 // "jours fériés"
		sel.holidays, sel.end = true, p.last().end
		return sel, nil
	case t.isWord("feries", "ferie", "jf"):
		p.next()
		sel.holidays, sel.end = true, t.end
		return sel, nil
	}
	if rank, ok := p.ordinal(p.peek()); ok {
		return p.nthItem(sel, rank)
	}
	first := p.next()
	d, ok := proseDays[first.text]
	if first.kind != pWord || !ok {
		return sel, p.refuse(first.start, first.end, "jour attendu (par exemple « lundi »)")
	}
	sel.end = first.end
	save := p.i
	if u := p.peek(); u.isWord("au", "aux", "a") || u.isPunct("-") || u.isWord("jusqu") && p.peekAt(1).isWord("au", "a") {
		p.next()
		if u.isWord("jusqu") {
			p.next()
		}
		p.skipFillers()
		if v := p.peek(); v.kind == pWord {
			if e, ok := proseDays[v.text]; ok {
				p.next()
				if e == d {
					return sel, p.refuse(first.start, v.end, "plage d'un seul jour")
				}
				for k := d; k != e; k = (k + 1) % 7 {
					sel.mask |= 1 << k
				}
				sel.mask |= 1 << e
				sel.end = v.end
				return sel, nil
			}
		}
		p.i = save
	}
	sel.mask, sel.named = 1<<d, 1<<d
	return sel, nil
}

func (p *proseParser) ordinal(t proseToken) (int, bool) {
	if t.kind == pOrdinal {
		return t.val, true
	}
	rank, ok := ordinalWords[t.text]
	return rank, ok && t.kind == pWord
}

// nthItem reads "1er samedi du mois", "dernier vendredi".
func (p *proseParser) nthItem(sel daySel, rank int) (daySel, error) {
	t := p.next()
	if u := p.peek(); u.isPunct(",", "&") || u.isWord("et") {
		if _, ok := p.ordinal(p.peekAt(1)); ok {
			return sel, p.refuse(t.start, p.peekAt(1).end, "plusieurs semaines du mois non prises en charge : une seule à la fois (par exemple « le 1er samedi du mois »)")
		}
	}
	if rank == 0 || rank > 5 {
		return sel, p.refuse(t.start, t.end, "rang invalide (du 1er au 5e, ou dernier)")
	}
	day := p.peek()
	d, ok := proseDays[day.text]
	if day.kind != pWord || !ok {
		return sel, p.refuse(t.start, t.end, "préciser le jour (par exemple « le 1er samedi du mois »)")
	}
	p.next()
	sel.nth, sel.end = []nthDay{{d, rank}}, day.end
	save := p.i
	for p.peek().isWord("du", "de", "d", "chaque") {
		p.next()
	}
	if p.peek().isWord("mois") {
		sel.end = p.next().end
	} else {
		p.i = save
	}
	return sel, nil
}

// atTimes tells whether a time span starts here.
func (p *proseParser) atTimes() bool {
	t, u := p.peek(), p.peekAt(1)
	switch {
	case t.kind == pTime || t.isWord("midi", "minuit", "entre"):
		return true
	case t.kind == pNum && p.sevenDays() == 0:
		return u.isPunct("-", "/") || u.isWord("a", "au", "jusqu")
	}
	return false
}

// atSpan is atTimes, or a part of the day ("le matin de 9h à 12h").
func (p *proseParser) atSpan() bool {
	name, _ := p.partOfDay()
	return p.atTimes() || name != ""
}

// partOfDay recognises "matin", "après-midi", "soir" here and the
// number of tokens they take.
func (p *proseParser) partOfDay() (string, int) {
	t := p.peek()
	switch {
	case t.isWord("matin", "matinee", "matins", "matinees"):
		return "matin", 1
	case t.isWord("apres-midi", "apres-midis", "apresmidi", "aprem"):
		return "après-midi", 1
	case t.isWord("apres") && p.peekAt(1).isWord("midi"):
		return "après-midi", 2
	case t.isWord("soir", "soiree", "soirs", "soirees"):
		return "soir", 1
	}
	return "", 0
}

// spans reads one or more time spans ("de 9h à 12h et de 14h à 17h",
// "9h-12h / 14h-17h", "matin 9h-12h, après-midi 14h-17h"), sorted and
// merged when they touch.
func (p *proseParser) spans() ([]Interval, error) {
	start := p.peek().start
	var spans []Interval
	for {
		part, n := p.partOfDay()
		partStart := p.peek().start
		p.i += n
		partEnd := p.last().end
		p.skipFillers()
		if part != "" && !p.atTimes() {
			example := map[string]string{"matin": "9h-12h", "après-midi": "14h-17h", "soir": "18h-20h"}[part]
			return nil, p.refuse(partStart, partEnd, "préciser les heures (par exemple %s)", example)
		}
		iv, err := p.span()
		if err != nil {
			return nil, err
		}
		if part == "matin" && iv.Start >= 720 || part == "après-midi" && iv.Start < 720 || part == "soir" && iv.Start < 960 {
			return nil, p.refuse(partStart, p.last().end, "heures qui ne correspondent pas au %s", part)
		}
		spans = append(spans, iv)
		save := p.i
		p.skipSeparators()
		if !p.atSpan() {
			p.i = save
			break
		}
	}
	merged, ok := joinSpans(nil, spans)
	if !ok {
		return nil, p.refuse(start, p.last().end, "plages horaires qui se chevauchent")
	}
	return merged, nil
}

// joinSpans sorts the spans of a and b and joins those that touch; false
// when two of them overlap, which a person did not mean.
func joinSpans(a, b []Interval) ([]Interval, bool) {
	all := slices.Concat(a, b)
	slices.SortFunc(all, func(x, y Interval) int { return x.Start - y.Start })
	out := all[:1]
	for _, iv := range all[1:] {
		last := &out[len(out)-1]
		switch {
		case iv.Start < last.End:
			return nil, false
		case iv.Start == last.End:
			last.End = iv.End
		default:
			out = append(out, iv)
		}
	}
	return out, true
}

// allDayLength is the number of tokens of "24h/24", "24 heures sur 24",
// "24/24" here, or 0.
func (p *proseParser) allDayLength() int {
	t, u, v := p.peek(), p.peekAt(1), p.peekAt(2)
	if !(t.kind == pTime && t.val == 1440 || t.kind == pNum && t.val == 24) || !u.isPunct("/") && !u.isWord("sur") {
		return 0
	}
	if v.kind == pNum && v.val == 24 || v.kind == pTime && v.val == 1440 {
		return 3
	}
	return 0
}

// span reads "9h-12h", "de 9h à 12h", "entre 9h et 12h", "9h/12h",
// "9-12h", "24h/24".
func (p *proseParser) span() (Interval, error) {
	if n := p.allDayLength(); n > 0 {
		p.i += n
		return Interval{0, 1440}, nil
	}
	between := p.peek().isWord("entre")
	if between {
		p.next()
	}
	from := p.peek()
	start, startExplicit, ok := clockOf(from, false)
	if !ok {
		return Interval{}, p.refuse(from.start, from.end, "heure attendue (par exemple 9h ou 9h30)")
	}
	p.next()
	switch u := p.peek(); {
	case between && u.isWord("et"):
		p.next()
	case !between && (u.isPunct("-", "/") || u.isWord("a", "au")):
		p.next()
	case !between && u.isWord("jusqu") && p.peekAt(1).isWord("a", "au"):
		p.i += 2
	default:
		return Interval{}, p.refuse(from.start, from.end, "plage horaire incomplète : heure de fin manquante (par exemple 9h-12h)")
	}
	to := p.peek()
	end, endExplicit, ok := clockOf(to, true)
	if !ok {
		return Interval{}, p.refuse(from.start, p.last().end, "heure de fin attendue (par exemple 9h-12h)")
	}
	p.next()
	if !startExplicit && !endExplicit {
		return Interval{}, p.refuse(from.start, to.end, "heures sans « h » : écrire par exemple 9h-12h")
	}
	if start == 1440 {
		return Interval{}, p.refuse(from.start, from.end, "une plage ne commence pas à 24h (écrire 0h)")
	}
	if end == 0 {
		end = 1440 // "de 20h à 0h" ends at midnight
	}
	if end <= start {
		return Interval{}, p.refuse(from.start, to.end, "l'heure de fin précède l'heure de début (les plages de nuit ne sont pas prises en charge)")
	}
	return Interval{start, end}, nil
}

// clockOf reads a time as minutes since midnight; explicit is false for a
// bare number ("9" in "9-12h"), which is an hour only next to an
// explicit one.
func clockOf(t proseToken, end bool) (minutes int, explicit, ok bool) {
	switch {
	case t.kind == pTime:
		return t.val, true, true
	case t.isWord("midi"):
		return 720, true, true
	case t.isWord("minuit") && end:
		return 1440, true, true
	case t.isWord("minuit"):
		return 0, true, true
	case t.kind == pNum && t.val <= 24 && len(t.text) <= 2:
		return t.val * 60, false, true
	}
	return 0, false, false
}

// schedule is the week the clauses describe, in the shape FromFrench
// writes it.
type schedule struct {
	week        [7][]Interval
	nth         []nthSpans // open n-th weekdays ("Sa[1] 09:00-12:00")
	nthOff      []nthDay   // closed n-th weekdays ("Sa[1] off")
	holidaysOff bool       // "PH off"
}

type nthSpans struct {
	nthDay
	spans []Interval
}

func (p *proseParser) schedule() (*schedule, error) {
	s := &schedule{}
	var closed uint8
	for _, c := range p.clauses {
		if c.closed {
			closed |= c.sel.mask
			s.nthOff = append(s.nthOff, c.sel.nth...)
			s.holidaysOff = s.holidaysOff || c.sel.holidays
		}
	}
	var open uint8
	var masks []uint8 // of the rules read so far
	for _, c := range p.clauses {
		if c.closed {
			continue
		}
		src := func(format string, args ...any) error { return p.refuse(c.sel.start, c.sel.end, format, args...) }
		if c.sel.holidays {
			return nil, src("horaires des jours fériés non pris en charge (seul « fermé les jours fériés » l'est)")
		}
		if d := firstDay(c.sel.named & closed); d >= 0 {
			return nil, src("%s est indiqué à la fois ouvert et fermé", DayNamesFR[d])
		}
		mask := c.sel.mask &^ closed
		if c.sel.mask != 0 && mask == 0 && c.sel.nth == nil {
			return nil, src("tous ces jours sont indiqués fermés")
		}
		spans := c.spans
		if slices.Contains(masks, mask) {
			// "lundi matin 9h-12h, lundi après-midi 14h-17h": the same
			// days twice can only add hours.
			merged, ok := joinSpans(s.week[firstDay(mask)], spans)
			if !ok {
				return nil, src("plages horaires qui se chevauchent avec une autre règle")
			}
			spans = merged
		} else if d := firstDay(mask & open); d >= 0 {
			return nil, src("le %s a déjà des horaires dans une autre règle : ajout ou remplacement ? Donner tous les horaires de ce jour en une seule règle", DayNamesFR[d])
		}
		open |= mask
		if mask != 0 {
			masks = append(masks, mask)
		}
		for d := range 7 {
			if mask&(1<<d) != 0 {
				s.week[d] = spans
			}
		}
		for _, n := range c.sel.nth {
			if slices.ContainsFunc(s.nth, func(o nthSpans) bool { return o.nthDay == n }) {
				return nil, src("jour cité dans deux règles")
			}
			if slices.Contains(s.nthOff, n) {
				return nil, src("jour indiqué à la fois ouvert et fermé")
			}
			s.nth = append(s.nth, nthSpans{n, c.spans})
		}
	}
	for _, c := range p.clauses {
		for _, n := range c.sel.nth {
			if !c.closed && open&(1<<n.day) != 0 {
				return nil, p.refuse(c.sel.start, c.sel.end, "le %s a déjà des horaires toutes les semaines : ajout ou remplacement ? Préciser les autres semaines", DayNamesFR[n.day])
			}
		}
	}
	if open == 0 && s.nth == nil {
		quote := strings.Join(strings.Fields(p.src), " ")
		if utf8.RuneCountInString(quote) > 60 {
			quote = string([]rune(quote)[:60]) + "…"
		}
		return nil, &proseError{quote: quote, why: "aucun horaire d'ouverture à convertir"}
	}
	rank := func(n nthDay) int {
		if n.rank < 0 {
			return n.day*10 + 9 // the last one after the 1st…5th
		}
		return n.day*10 + n.rank
	}
	slices.SortStableFunc(s.nth, func(a, b nthSpans) int { return rank(a.nthDay) - rank(b.nthDay) })
	slices.SortStableFunc(s.nthOff, func(a, b nthDay) int { return rank(a) - rank(b) })
	s.nthOff = slices.Compact(s.nthOff)
	return s, nil
}

// String writes the schedule in canonical OSM form: days with the same
// hours grouped, in weekday order, then n-th weekdays, then closures.
func (s *schedule) String() string {
	var rules []string
	always := true
	for _, d := range s.week {
		always = always && slices.Equal(d, []Interval{{0, 1440}})
	}
	if always {
		rules = append(rules, "24/7")
	} else {
		var done uint8
		for d, spans := range s.week {
			if spans == nil || done&(1<<d) != 0 {
				continue
			}
			var mask uint8
			for e := d; e < 7; e++ {
				if slices.Equal(s.week[e], spans) {
					mask |= 1 << e
				}
			}
			done |= mask
			rules = append(rules, osmDays(mask)+" "+osmSpans(spans))
		}
	}
	for _, n := range s.nth {
		rules = append(rules, osmNth(n.nthDay)+" "+osmSpans(n.spans))
	}
	for _, n := range s.nthOff {
		rules = append(rules, osmNth(n)+" off")
	}
	if s.holidaysOff {
		rules = append(rules, "PH off")
	}
	return strings.Join(rules, "; ")
}

// osmDays writes runs of consecutive days as ranges: "Mo-Tu,Th-Fr".
func osmDays(mask uint8) string {
	var parts []string
	for d := 0; d < 7; d++ {
		if mask&(1<<d) == 0 {
			continue
		}
		e := d
		for e+1 < 7 && mask&(1<<(e+1)) != 0 {
			e++
		}
		if e == d {
			parts = append(parts, weekdayNames[d])
		} else {
			parts = append(parts, weekdayNames[d]+"-"+weekdayNames[e])
		}
		d = e
	}
	return strings.Join(parts, ",")
}

func osmSpans(spans []Interval) string {
	parts := make([]string, len(spans))
	for i, iv := range spans {
		parts[i] = clockString(iv.Start) + "-" + clockString(iv.End)
	}
	return strings.Join(parts, ",")
}

func osmNth(n nthDay) string { return weekdayNames[n.day] + "[" + strconv.Itoa(n.rank) + "]" }
