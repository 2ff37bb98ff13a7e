package openinghours

import (
	"errors"
	"strings"
	"testing"
)

var fromFrenchAccepted = []struct{ in, want string }{
	// The example of the documentation.
	{"du lundi au vendredi de 9h à 12h et de 14h à 17h, le samedi de 9h à 12h", "Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00"},
	// Day ranges.
	{"lundi au vendredi 9h-12h", "Mo-Fr 09:00-12:00"},
	{"lundi-vendredi 9h-12h", "Mo-Fr 09:00-12:00"},
	{"lun.-ven. 9h-12h", "Mo-Fr 09:00-12:00"},
	{"du lun au ven 9h30-12h", "Mo-Fr 09:30-12:00"},
	{"lundi – vendredi : 9h – 12h", "Mo-Fr 09:00-12:00"},
	{"DU LUNDI AU VENDREDI DE 9H À 12H", "Mo-Fr 09:00-12:00"},
	{"du lundi au vendredi de 9h a 12h", "Mo-Fr 09:00-12:00"},
	{"du vendredi au lundi 10h-18h", "Mo,Fr-Su 10:00-18:00"},
	{"en semaine de 9h à 18h", "Mo-Fr 09:00-18:00"},
	{"tous les jours de 10h à 19h", "Mo-Su 10:00-19:00"},
	{"tous les jours de la semaine de 8h à 20h", "Mo-Su 08:00-20:00"},
	{"chaque jour 9h-12h", "Mo-Su 09:00-12:00"},
	{"le week-end de 10h à 12h", "Sa-Su 10:00-12:00"},
	{"les week-ends de 10h à 12h", "Sa-Su 10:00-12:00"},
	{"7j/7 de 9h à 19h", "Mo-Su 09:00-19:00"},
	// Day lists.
	{"lundi, mardi et jeudi 14h-17h", "Mo-Tu,Th 14:00-17:00"},
	{"les mardis et jeudis de 9 h 30 à 12 h", "Tu,Th 09:30-12:00"},
	{"le samedi 9:00-12:00", "Sa 09:00-12:00"},
	{"lun, mar, mer : 9h-12h", "Mo-We 09:00-12:00"},
	{"sam. dim. 10h-12h", "Sa-Su 10:00-12:00"},
	{"samedi & dimanche 10h-12h", "Sa-Su 10:00-12:00"},
	{"lundi, mercredi 9h-12h", "Mo,We 09:00-12:00"},
	// Times.
	{"mardi 09h00-12h00", "Tu 09:00-12:00"},
	{"mardi 8h45-12h15", "Tu 08:45-12:15"},
	{"lundi 9.30-12.00", "Mo 09:30-12:00"},
	{"mardi de 9h à midi", "Tu 09:00-12:00"},
	{"lundi de midi à 14h", "Mo 12:00-14:00"},
	{"lundi de 20h à minuit", "Mo 20:00-24:00"},
	{"mardi 9h/12h", "Tu 09:00-12:00"},
	{"lundi 9-12h", "Mo 09:00-12:00"},
	{"lundi 9 heures 30 à 12 heures", "Mo 09:30-12:00"},
	{"mardi entre 9h et 12h", "Tu 09:00-12:00"},
	{"mardi de 9h jusqu'à 12h", "Tu 09:00-12:00"},
	// Several spans.
	{"mardi 9h-12h / 14h-17h", "Tu 09:00-12:00,14:00-17:00"},
	{"mardi 9h-12h 14h-17h", "Tu 09:00-12:00,14:00-17:00"},
	{"lundi 9h-12h ; 14h-17h", "Mo 09:00-12:00,14:00-17:00"},
	{"mardi 9h-12h, 12h-14h", "Tu 09:00-14:00"},
	{"lundi de 9h30 à 12h30 et de 13h30 à 17h", "Mo 09:30-12:30,13:30-17:00"},
	{"du lundi au vendredi, le matin de 9h à 12h et l'après-midi de 14h à 17h", "Mo-Fr 09:00-12:00,14:00-17:00"},
	{"lundi matin 9h-12h, lundi après-midi 14h-17h", "Mo 09:00-12:00,14:00-17:00"},
	// Several rules, hours before days, lines.
	{"lundi 14h-18h, mercredi 9h-12h", "Mo 14:00-18:00; We 09:00-12:00"},
	{"Du lundi au vendredi : 9h-12h30 ; samedi : 10h-12h", "Mo-Fr 09:00-12:30; Sa 10:00-12:00"},
	{"Lundi, mardi, jeudi et vendredi : 9h-12h / 14h-17h ; mercredi : 9h-12h", "Mo-Tu,Th-Fr 09:00-12:00,14:00-17:00; We 09:00-12:00"},
	{"lundi et mercredi de 9h à 12h, mardi et jeudi de 14h à 17h", "Mo,We 09:00-12:00; Tu,Th 14:00-17:00"},
	{"Lundi 9h-12h. Mardi 9h-12h.", "Mo-Tu 09:00-12:00"},
	{"Lundi :\n9h-12h\n14h-17h\nMardi :\n10h-12h", "Mo 09:00-12:00,14:00-17:00; Tu 10:00-12:00"},
	{"de 9h à 12h du lundi au vendredi", "Mo-Fr 09:00-12:00"},
	{"9h-12h et 14h-17h du lundi au vendredi, samedi 9h-12h", "Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00"},
	{"Horaires d'ouverture : du lundi au vendredi de 9h à 12h", "Mo-Fr 09:00-12:00"},
	{"ouvert au public le lundi de 9h à 12h", "Mo 09:00-12:00"},
	// Closures and exceptions.
	{"du lundi au vendredi de 9h à 17h sauf le mercredi", "Mo-Tu,Th-Fr 09:00-17:00"},
	{"du lundi au vendredi de 9h à 17h, fermé le mercredi", "Mo-Tu,Th-Fr 09:00-17:00"},
	{"tous les jours sauf le dimanche de 9h à 18h", "Mo-Sa 09:00-18:00"},
	{"tous les jours sauf le week-end 9h-12h", "Mo-Fr 09:00-12:00"},
	{"du lundi au vendredi de 9h à 17h sauf le mercredi, le samedi de 9h à 12h", "Mo-Tu,Th-Fr 09:00-17:00; Sa 09:00-12:00"},
	{"Lundi : fermé\nMardi au samedi : 10h-18h", "Tu-Sa 10:00-18:00"},
	{"Fermé le dimanche et les jours fériés, du lundi au samedi 9h-19h", "Mo-Sa 09:00-19:00; PH off"},
	{"du lundi au vendredi de 9h à 12h sauf les jours fériés", "Mo-Fr 09:00-12:00; PH off"},
	// N-th weekday of the month.
	{"le 1er samedi du mois de 9h à 12h", "Sa[1] 09:00-12:00"},
	{"le dernier vendredi du mois de 14h à 16h", "Fr[-1] 14:00-16:00"},
	{"le samedi de 9h à 12h sauf le 1er samedi du mois", "Sa 09:00-12:00; Sa[1] off"},
	{"du lundi au vendredi 9h-17h, le 2e samedi du mois 9h-12h", "Mo-Fr 09:00-17:00; Sa[2] 09:00-12:00"},
	// Always open.
	{"24h/24 7j/7", "24/7"},
	{"ouvert 24h/24, 7 jours sur 7", "24/7"},
	{"tous les jours 0h-24h", "24/7"},
	{"24/7", "24/7"},
	{"du lundi au vendredi 24h/24", "Mo-Fr 00:00-24:00"},
}

// fromFrenchRefused pairs a text with the part its error must quote.
var fromFrenchRefused = []struct{ in, quote string }{
	{"", ""},
	{"sur rendez-vous", "sur rendez-vous"},
	{"uniquement sur RDV", "sur RDV"},
	{"du lundi au vendredi 9h-12h, l'après-midi sur rendez-vous", "sur rendez-vous"},
	{"le matin", "matin"},
	{"l'après-midi", "après-midi"},
	{"le mercredi après-midi", "après-midi"},
	{"lundi matin 14h-17h", "matin 14h-17h"},
	{"horaires variables", "horaires variables"},
	{"pendant les vacances scolaires", "vacances scolaires"},
	{"en juillet du lundi au vendredi 9h-12h", "juillet"},
	{"le 1er et 3e samedi du mois de 9h à 12h", "1er et 3e"},
	{"le 6e samedi du mois 9h-12h", "6e"},
	{"9h-12h", "9h-12h"},
	{"24h/24", "24h/24"},
	{"7j/7", "7j/7"},
	{"lundi", "lundi"},
	{"lundi 9h-12h et mercredi", "mercredi"},
	{"lundi 14h-12h", "14h-12h"},
	{"lundi 22h-2h", "22h-2h"},
	{"lundi 25h-26h", "25h"},
	{"lundi 9h75-12h", "9h75"},
	{"lundi 24h-2h", "24h"},
	{"lundi de 9 à 12", "9 à 12"},
	{"mardi 9h", "9h"},
	{"mardi à partir de 9h", "à partir"},
	{"mardi 9h-12h, 11h-14h", "9h-12h, 11h-14h"},
	{"lundi de 9h à 12h environ", "environ"},
	{"lundi ou mardi 9h-12h", "ou"},
	{"lundi/mardi 9h-12h", "lundi/mardi"},
	{"lundi 9h-12h sauf", "sauf"},
	{"du lundi au vendredi 9h-17h sauf le samedi", "samedi"},
	{"du lundi au samedi de 9h à 18h sauf le samedi de 9h à 12h", "sauf le samedi"},
	{"du lundi au vendredi 9h-12h, le mercredi 14h-17h", "mercredi"},
	{"lundi 9h-12h, le 1er lundi du mois 14h-17h", "1er lundi du mois"},
	{"le lundi de 9h à 12h, fermé le lundi", "lundi"},
	{"fermé", "fermé"},
	{"fermé le lundi matin", "fermé le lundi matin"},
	{"fermé le mercredi de 12h à 14h", "fermé le mercredi de 12h"},
	{"Mardi : fermé", "Mardi : fermé"},
	{"ouvert les jours fériés de 9h à 12h", "jours fériés"},
	{"du lundi au lundi 9h-12h", "lundi au lundi"},
	{"lundi 9h-12h *", "*"},
	{"Mo-Fr 09:00-12:00", "Mo"},
	{"lundi 01.09-30.06", "30.06"},
}

func TestFromFrench(t *testing.T) {
	for _, tt := range fromFrenchAccepted {
		got, err := FromFrench(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("FromFrench(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestFromFrenchRefused(t *testing.T) {
	for _, tt := range fromFrenchRefused {
		got, err := FromFrench(tt.in)
		if err == nil {
			t.Errorf("FromFrench(%q) = %q, want an error quoting %q", tt.in, got, tt.quote)
			continue
		}
		if tt.quote != "" && !strings.Contains(err.Error(), "« "+tt.quote+" »") {
			t.Errorf("FromFrench(%q) error %q does not quote « %s »", tt.in, err, tt.quote)
		}
		var pe *proseError
		if !errors.As(err, &pe) || pe.why == "" {
			t.Errorf("FromFrench(%q) error %#v has no reason", tt.in, err)
		}
	}
}

// checkOutput is the property of every accepted output: Parse reads it,
// and it is already in the canonical form String writes.
func checkOutput(t *testing.T, in, out string) {
	t.Helper()
	h, err := Parse(out)
	if err != nil {
		t.Fatalf("FromFrench(%q) = %q does not parse: %v", in, out, err)
	}
	if h.String() != out {
		t.Fatalf("FromFrench(%q) = %q is not canonical (%q)", in, out, h.String())
	}
}

// TestFromFrenchOutputsParse checks the property on the table and on
// combinations of phrasings.
func TestFromFrenchOutputsParse(t *testing.T) {
	for _, tt := range fromFrenchAccepted {
		if out, err := FromFrench(tt.in); err == nil {
			checkOutput(t, tt.in, out)
		}
	}
	days := []string{"lundi", "du lundi au vendredi", "lun.-ven.", "en semaine", "le week-end", "tous les jours",
		"les mardis et jeudis", "le 1er samedi du mois", "7j/7", "du samedi au mardi", "mercredi, vendredi et dimanche"}
	spans := []string{"de 9h à 12h", "9h-12h / 14h-17h", "de 9h à midi et de 14h à 18h30", "24h/24", "9.30-12.00",
		"le matin de 8h à 12h", "de 20h à minuit"}
	extras := []string{"", ", sauf le mercredi", ", fermé le dimanche", ", fermé les jours fériés", ", samedi 10h-12h",
		" sauf le 1er lundi du mois", "\ndimanche : fermé"}
	accepted := 0
	for _, d := range days {
		for _, s := range spans {
			for _, x := range extras {
				for _, in := range []string{d + " " + s + x, s + " " + d + x} {
					out, err := FromFrench(in)
					if err != nil {
						continue
					}
					accepted++
					checkOutput(t, in, out)
				}
			}
		}
	}
	if accepted < len(days)*len(spans) {
		t.Errorf("only %d combinations accepted", accepted)
	}
}

func FuzzFromFrench(f *testing.F) {
	for _, tt := range fromFrenchAccepted {
		f.Add(tt.in)
	}
	for _, tt := range fromFrenchRefused {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := FromFrench(in)
		if err != nil {
			var pe *proseError
			if !errors.As(err, &pe) || pe.why == "" {
				t.Fatalf("FromFrench(%q): error %#v has no reason", in, err)
			}
			if strings.HasPrefix(pe.why, "conversion ") {
				t.Fatalf("FromFrench(%q): the output check failed: %v", in, err) // a bug, not a refusal
			}
			return
		}
		checkOutput(t, in, out)
	})
}
