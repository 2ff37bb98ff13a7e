package place

import (
	"strings"
	"unicode"
)

var foldMap = map[rune]string{
	'à': "a", 'â': "a", 'ä': "a", 'á': "a", 'ã': "a", 'å': "a",
	'ç': "c", 'é': "e", 'è': "e", 'ê': "e", 'ë': "e",
	'î': "i", 'ï': "i", 'í': "i", 'ì': "i",
	'ô': "o", 'ö': "o", 'ó': "o", 'ò': "o", 'õ': "o",
	'ù': "u", 'û': "u", 'ü': "u", 'ú': "u", 'ÿ': "y", 'ñ': "n",
	'œ': "oe", 'æ': "ae", 'ß': "ss",
	'’': "'", '‘': "'", 'ʼ': "'", '`': "'", '´': "'",
	'«': "\"", '»': "\"", '“': "\"", '”': "\"",
	'–': "-", '—': "-", '\u00a0': " ", '\u202f': " ",
}

// Fold lowercases s, strips French diacritics, unifies apostrophes, quotes
// and dashes, and collapses spaces: the key for accent-insensitive search
// and for matching list values written in many ways.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range strings.TrimSpace(s) {
		r = unicode.ToLower(r)
		if unicode.IsSpace(r) || r == '\u00a0' || r == '\u202f' {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		if m, ok := foldMap[r]; ok {
			b.WriteString(m)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// SearchWords splits a query into folded words, dropping punctuation, so
// that "Médiathèque  l'Île" finds "mediatheque de l'ile".
func SearchWords(q string) []string {
	return strings.FieldsFunc(Fold(q), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// SearchText is the folded text a place is searched by: its name, commune,
// address and postcode, words separated by single spaces.
func SearchText(parts ...string) string {
	return " " + strings.Join(SearchWords(strings.Join(parts, " ")), " ") + " "
}
