package place

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// dialCodes maps the postcode prefix of overseas territories to their
// international dialling code; everything else is +33.
var dialCodes = []struct{ postcode, code string }{
	{"971", "+590"}, {"977", "+590"}, {"978", "+590"}, // Guadeloupe, Saint-Barthélemy, Saint-Martin
	{"972", "+596"}, {"973", "+594"}, {"974", "+262"}, {"976", "+262"},
	{"975", "+508"}, {"986", "+681"}, {"987", "+689"}, {"988", "+687"},
}

var phonePattern = regexp.MustCompile(`^(\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)(\d){6,9}$`)

// NormalizePhone turns a French phone number written in any usual way
// ("02 99 12 34 56", "02.99.12.34.56", "+33 (0)2 99 12 34 56", "0033…")
// into the compact international form the standard requires
// ("+33299123456"). The postcode picks the overseas dialling code.
func NormalizePhone(raw, postcode string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", nil
	}
	s = strings.ReplaceAll(s, "(0)", "")
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '/' || r == '\u00a0' || r == '\u202f' || r == '(' || r == ')':
		default:
			return "", fmt.Errorf("caractère « %c » inattendu dans le numéro « %s »", r, raw)
		}
	}
	d := b.String()
	if strings.HasPrefix(d, "00") {
		d = "+" + d[2:]
	}
	if strings.HasPrefix(d, "+") {
		for _, c := range []string{"+33", "+590", "+594", "+262", "+596", "+269", "+687", "+689", "+508", "+681"} {
			if strings.HasPrefix(d, c) {
				rest := strings.TrimPrefix(d[len(c):], "0")
				d = c + rest
				break
			}
		}
	} else if strings.HasPrefix(d, "0") && len(d) == 10 {
		code := "+33"
		for _, dc := range dialCodes {
			if strings.HasPrefix(postcode, dc.postcode) {
				code = dc.code
				break
			}
		}
		d = code + d[1:]
	} else if len(d) == 9 && d[0] != '0' {
		// A spreadsheet dropped the leading zero of "02 99 …".
		d = "+33" + d
	} else {
		return "", fmt.Errorf("numéro « %s » incomplet ou mal formé (attendu 10 chiffres, par exemple 02 99 12 34 56)", raw)
	}
	if !phonePattern.MatchString(d) {
		return "", fmt.Errorf("numéro « %s » non reconnu (indicatif français attendu, par exemple +33 2 99 12 34 56)", raw)
	}
	return d, nil
}

// FormatPhone writes a compact +33 number the French way: "02 99 12 34 56".
func FormatPhone(p string) string {
	if strings.HasPrefix(p, "+33") && len(p) == 12 {
		d := "0" + p[3:]
		return d[0:2] + " " + d[2:4] + " " + d[4:6] + " " + d[6:8] + " " + d[8:10]
	}
	return p
}

var emailPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._%+'-]*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$`)

// CheckEmail validates an e-mail address the way the national library does:
// no accents in the local part, a domain with a top-level domain.
func CheckEmail(e string) error {
	if !emailPattern.MatchString(e) {
		return fmt.Errorf("adresse électronique « %s » invalide", e)
	}
	return nil
}

// NormalizeURL adds the https scheme a bare "www.example.fr" lacks and
// checks the result is a web address.
func NormalizeURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", nil
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !strings.Contains(u.Host, ".") || strings.ContainsAny(s, " |") {
		return "", fmt.Errorf("adresse web « %s » invalide (attendu https://…)", raw)
	}
	return s, nil
}

// CheckPivot validates a SIRET (14 digits with a valid Luhn key) or an RNA
// number (W followed by 9 characters). The all-zero placeholder is
// accepted: it means "pivot manquant".
func CheckPivot(p string) error {
	switch {
	case p == "" || p == PivotPlaceholder:
		return nil
	case len(p) == 14 && allDigits(p):
		if !siretValid(p) {
			return fmt.Errorf("SIRET « %s » invalide (clé de contrôle incorrecte)", p)
		}
		return nil
	case len(p) == 10 && (p[0] == 'W' || p[0] == 'w'):
		for _, r := range p[1:] {
			if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') {
				return fmt.Errorf("numéro RNA « %s » invalide (attendu W suivi de 9 caractères)", p)
			}
		}
		return nil
	case allDigits(p):
		return fmt.Errorf("SIRET « %s » invalide : %d chiffres au lieu de 14", p, len(p))
	default:
		return fmt.Errorf("« %s » n'est ni un SIRET (14 chiffres) ni un numéro RNA (W suivi de 9 caractères)", p)
	}
}

// NormalizePivot removes the spaces people type in SIRETs ("123 456 789 00012").
func NormalizePivot(p string) string {
	p = strings.Map(func(r rune) rune {
		if r == ' ' || r == '.' || r == '\u00a0' || r == '\u202f' || r == '-' {
			return -1
		}
		return r
	}, strings.TrimSpace(p))
	if len(p) == 10 && p[0] == 'w' {
		p = "W" + p[1:]
	}
	return p
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// siretValid checks the Luhn key of a SIRET. La Poste's establishments
// (SIREN 356000000) use a different rule: the sum of the digits is a
// multiple of 5.
func siretValid(s string) bool {
	if strings.HasPrefix(s, "356000000") {
		sum := 0
		for _, r := range s {
			sum += int(r - '0')
		}
		return sum%5 == 0
	}
	sum := 0
	for i := 0; i < len(s); i++ {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}
