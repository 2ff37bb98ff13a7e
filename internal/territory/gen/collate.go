package main

import (
	"strings"
	"unicode"
)

// numberWidth is the width numbers are zero-padded to in sort keys; 6
// digits covers every number in commune and EPCI names.
const numberWidth = 6

// nameKey is the sort key of a French place name, so that lists read in the
// order a French reader expects without a collation library. The generator
// sorts once, so that loading the reference needs no sorting by name:
//   - case and accents are folded ("Étables" sorts with "Etables", œ as oe);
//   - spaces, hyphens, apostrophes and other punctuation count as one space,
//     which sorts before any letter ("L'Oie" before "La Roche", "Saint-Malo"
//     before "Saintes");
//   - numbers compare by value ("Paris 2e Arrondissement" before "Paris 10e").
//
// Names equal under the key are ordered by compareNames' tie-breakers.
func nameKey(s string) string {
	var b strings.Builder
	b.Grow(len(s) + numberWidth)
	space := false // a separator is pending
	digits := -1   // start in s of the current digit run, or -1
	sep := func() {
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
	}
	flushDigits := func(end int) {
		for n := end - digits; n < numberWidth; n++ {
			b.WriteByte('0')
		}
		b.WriteString(s[digits:end])
		digits = -1
	}
	for i, r := range s {
		if r >= '0' && r <= '9' {
			if digits < 0 {
				sep()
				digits = i
			}
			continue
		}
		if digits >= 0 {
			flushDigits(i)
		}
		f := foldRune(unicode.ToLower(r))
		if f == "" {
			space = true
			continue
		}
		sep()
		b.WriteString(f)
	}
	if digits >= 0 {
		flushDigits(len(s))
	}
	return b.String()
}

// foldRune returns the lowercase letter r as unaccented ASCII (ligatures
// spelled out), or "" for anything that is not a letter.
func foldRune(r rune) string {
	if r < 0x80 {
		if r >= 'a' && r <= 'z' {
			return string(r)
		}
		return ""
	}
	switch r {
	case 'à', 'â', 'ä', 'á', 'ã', 'å':
		return "a"
	case 'ç':
		return "c"
	case 'é', 'è', 'ê', 'ë':
		return "e"
	case 'î', 'ï', 'í', 'ì':
		return "i"
	case 'ô', 'ö', 'ó', 'ò', 'õ':
		return "o"
	case 'ù', 'û', 'ü', 'ú':
		return "u"
	case 'ÿ':
		return "y"
	case 'ñ':
		return "n"
	case 'œ':
		return "oe"
	case 'æ':
		return "ae"
	}
	if unicode.IsLetter(r) {
		return string(r) // other scripts: kept, after the Latin letters
	}
	return ""
}

// sortName is a name with its key, for sorting by compareNames.
type sortName struct {
	key, name, code string
}

func newSortName(name, code string) sortName {
	return sortName{key: nameKey(name), name: name, code: code}
}

// compareNames orders by key, then by the exact name (so "Étables" and
// "Etables" keep a stable order), then by code (homonymous communes such as
// the many "Saint-Martin").
func compareNames(a, b sortName) int {
	if c := strings.Compare(a.key, b.key); c != 0 {
		return c
	}
	if c := strings.Compare(a.name, b.name); c != 0 {
		return c
	}
	return strings.Compare(a.code, b.code)
}
