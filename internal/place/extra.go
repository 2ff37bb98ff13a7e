package place

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// ExtraKind is the type of a territory's complementary field.
type ExtraKind string

const (
	ExtraText   ExtraKind = "texte"
	ExtraNumber ExtraKind = "nombre"
	ExtraBool   ExtraKind = "oui-non"
	ExtraChoice ExtraKind = "liste"
	ExtraDate   ExtraKind = "date"
)

// ExtraKindLabels are the French names of the kinds.
var ExtraKindLabels = map[ExtraKind]string{
	ExtraText: "Texte", ExtraNumber: "Nombre", ExtraBool: "Oui / non", ExtraChoice: "Liste de choix", ExtraDate: "Date",
}

// ExtraField is one complementary field a territory collects beyond the
// national standard ("données complémentaires locales").
type ExtraField struct {
	ID       string
	EPCI     string
	Key      string // stable identifier, e.g. "nb-postes"
	Label    string
	Kind     ExtraKind
	Options  []string // choices of an ExtraChoice field
	Help     string
	Position int
}

var extraKeyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Check validates a field definition.
func (f *ExtraField) Check() error {
	var e Errors
	if !extraKeyPattern.MatchString(f.Key) {
		e.add("cle", "« %s » invalide : lettres minuscules sans accent, chiffres et tirets", f.Key)
	}
	if strings.TrimSpace(f.Label) == "" {
		e.add("libelle", "obligatoire")
	}
	if _, ok := ExtraKindLabels[f.Kind]; !ok {
		e.add("type", "« %s » inconnu", f.Kind)
	}
	if f.Kind == ExtraChoice && len(f.Options) == 0 {
		e.add("choix", "une liste de choix doit proposer au moins un choix")
	}
	for _, o := range f.Options {
		if strings.Contains(o, "\n") || strings.TrimSpace(o) == "" {
			e.add("choix", "choix vide ou sur plusieurs lignes")
		}
	}
	if len(e) > 0 {
		return e
	}
	return nil
}

// CheckValue validates and normalises a value for this field; "" is
// always accepted (no value).
func (f *ExtraField) CheckValue(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	switch f.Kind {
	case ExtraNumber:
		n, err := strconv.ParseFloat(strings.Replace(strings.ReplaceAll(v, " ", ""), ",", ".", 1), 64)
		if err != nil {
			return "", fmt.Errorf("%s : « %s » n'est pas un nombre", f.Label, v)
		}
		return strconv.FormatFloat(n, 'f', -1, 64), nil
	case ExtraBool:
		switch Fold(v) {
		case "oui", "o", "vrai", "true", "1", "x":
			return "oui", nil
		case "non", "n", "faux", "false", "0":
			return "non", nil
		}
		return "", fmt.Errorf("%s : « %s » au lieu de oui ou non", f.Label, v)
	case ExtraChoice:
		for _, o := range f.Options {
			if Fold(o) == Fold(v) {
				return o, nil
			}
		}
		return "", fmt.Errorf("%s : « %s » n'est pas un des choix (%s)", f.Label, v, strings.Join(f.Options, ", "))
	case ExtraDate:
		t, err := ParseDate(v)
		if err != nil {
			return "", fmt.Errorf("%s : %w", f.Label, err)
		}
		return t.Format("2006-01-02"), nil
	}
	return v, nil
}
