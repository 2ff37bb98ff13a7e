package openinghours

import (
	"errors"
	"strconv"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in   string
		pos  int
		want string // the whole message after "horaires : position N : "
	}{
		{"Mo-Fr 09:00-25:00", 12, "heure invalide « 25:00 » (attendu HH:MM entre 00:00 et 24:00)"},
		{"Mo-Fr 25:00-26:00", 6, "heure invalide « 25:00 » (attendu HH:MM entre 00:00 et 24:00)"},
		{"Mo-Fr 09:60-12:00", 6, "heure invalide « 09:60 » (attendu HH:MM entre 00:00 et 24:00)"},
		{"Mo-Fr 09:00-24:30", 12, "heure invalide « 24:30 » (attendu HH:MM entre 00:00 et 24:00)"},
		{"Mo 24:00-12:00", 3, "heure invalide « 24:00 » en début de plage : 24:00 n'est permis qu'en fin de plage (écrivez 00:00)"},
		{"Mo-Fr 22:00-26:00", 12, "heure invalide « 26:00 » (attendu HH:MM entre 00:00 et 24:00)"},
		{"Mo-Fr 09:0-12:00", 6, "heure invalide « 09:0 » (attendu HH:MM entre 00:00 et 24:00)"},
		{"Lu 09:00-12:00", 0, "jour inconnu « Lu » (attendu Mo, Tu, We, Th, Fr, Sa, Su ou PH) ; les jours s'écrivent en anglais : Mo pour lundi"},
		{"Lu-Ve 09:00-12:00", 0, "jour inconnu « Lu » (attendu Mo, Tu, We, Th, Fr, Sa, Su ou PH) ; les jours s'écrivent en anglais : Mo pour lundi"},
		{"Mo-Ve 09:00-12:00", 3, "jour de fin « Ve » inconnu (attendu Mo, Tu, We, Th, Fr, Sa, Su ou PH) ; les jours s'écrivent en anglais : Fr pour vendredi"},
		{"Mo,Je 09:00-12:00", 3, "jour inconnu « Je » (attendu Mo, Tu, We, Th, Fr, Sa, Su ou PH) ; les jours s'écrivent en anglais : Th pour jeudi"},
		{"Di off", 0, "jour inconnu « Di » (attendu Mo, Tu, We, Th, Fr, Sa, Su ou PH) ; les jours s'écrivent en anglais : Su pour dimanche"},
		{"Lundi 09:00-12:00", 0, "jour inconnu « Lundi » (attendu Mo, Tu, We, Th, Fr, Sa, Su ou PH) ; les jours s'écrivent en anglais : Mo pour lundi"},
		{"Mar-Ven 09:00-12:00", 0, "« Mar » est le mois de mars ; pour mardi, écrivez Tu (les jours s'écrivent en anglais)"},
		{"mo-fr 09:00-12:00", 0, "jour inconnu « mo » (attendu Mo, Tu, We, Th, Fr, Sa, Su ou PH) ; attention aux majuscules : Mo"},
		{"Mo-Fr 09:00-12:00; ph off", 19, "jour inconnu « ph » (attendu Mo, Tu, We, Th, Fr, Sa, Su ou PH) ; attention aux majuscules : PH"},
		{"Mo-Fr 09:00-12:00; JF off", 19, "jour inconnu « JF » (attendu Mo, Tu, We, Th, Fr, Sa, Su ou PH) ; les jours fériés s'écrivent PH"},
		{"Xy 09:00-12:00", 0, "jour inconnu « Xy » (attendu Mo, Tu, We, Th, Fr, Sa, Su ou PH)"},
		{"Mo-Xy 09:00-12:00", 3, "jour de fin « Xy » inconnu (attendu Mo, Tu, We, Th, Fr, Sa, Su ou PH)"},
		{"Mo-", 3, "jour de fin attendu après « Mo- »"},
		{"Mo-Fr 9h-12h", 6, "heure « 9h » au format français : écrivez 09:00 (format HH:MM)"},
		{"Mo-Fr 9h30-12h", 6, "heure « 9h30 » au format français : écrivez 09:30 (format HH:MM)"},
		{"Mo-Fr 14H00-18H00", 6, "heure « 14H00 » au format français : écrivez 14:00 (format HH:MM)"},
		{"24h/24", 0, "« 24h/24 » au format français : écrivez 24/7 (ou Mo-Su 00:00-24:00)"},
		{"Mo-Fr 9:00-12:00", 6, "heure « 9:00 » sur un chiffre : écrivez 09:00 (format HH:MM)"},
		{"Mo-Fr 09:00-9:30", 12, "heure « 9:30 » sur un chiffre : écrivez 09:30 (format HH:MM)"},
		{"Mo-Fr 0900-1200", 6, "heure « 0900 » incomplète (attendu HH:MM, par exemple 09:00)"},
		{"Mo-Fr 12:00-12:00", 6, "plage horaire vide ou inversée « 12:00-12:00 »"},
		{"Mo-Fr 09:00", 11, "plage horaire incomplète après 09:00 (attendu 09:00-HH:MM)"},
		{"Mo-Fr 09:00-", 12, "heure de fin attendue après « 09:00- » (format HH:MM)"},
		{"Mo-Fr 18:00+", 11, "heure de fin ouverte non prise en charge (« 18:00+ ») : indiquez l'heure de fermeture"},
		{"Mo-Fr 09:00-18:00+", 17, "heure de fin ouverte non prise en charge (« 09:00-18:00+ ») : retirez le « + »"},
		{"Mo-Fr sunrise-sunset", 6, "heures solaires (« sunrise ») non prises en charge : indiquez des heures HH:MM"},
		{"Mo-Fr 09:00-sunset", 12, "heures solaires (« sunset ») non prises en charge : indiquez des heures HH:MM"},
		{"week 01-10 Mo 09:00-12:00", 0, "sélecteur de semaines non pris en charge (« week »)"},
		{"Jan week 01", 4, "sélecteur de semaines non pris en charge (« week »)"},
		{"easter off", 0, "dates relatives à Pâques (« easter ») non prises en charge"},
		{"2026 Dec 25 off", 0, "les années (« 2026 ») ne sont pas prises en charge : retirez l'année"},
		{"Mo 09:00-12:00 || Tu 10:00-11:00", 15, "règle de repli « || » non prise en charge : séparez les règles par « ; »"},
		{`Mo 09:00-12:00 "sur rendez-vous`, 15, "commentaire non fermé : il manque le guillemet final \""},
		{`Mo 09:00-12:00 ""`, 15, "commentaire vide \"\" : retirez-le ou écrivez le texte entre les guillemets"},
		{`Mo 09:00-12:00 "a" "b"`, 19, "second commentaire « b » inattendu : un seul commentaire par règle"},
		{`Mo 09:00-12:00 “sur rendez-vous”`, 15, "guillemet « “ » : un commentaire s'écrit entre guillemets droits \"…\""},
		{"Mo 09:00–12:00", 8, "tiret « – » : utilisez le tiret simple « - »"},
		{"Mo 09:00-12:00 (sauf été)", 15, "caractère « ( » inattendu"},
		{"Mo\x0009:00-12:00", 2, "caractère invisible U+0000 inattendu"},
		{"Sa[7] 10:00-12:00", 3, "rang « 7 » invalide entre crochets (attendu 1 à 5, ou -1 à -5 en partant de la fin du mois)"},
		{"Sa[0] 10:00-12:00", 3, "rang « 0 » invalide entre crochets (attendu 1 à 5, ou -1 à -5 en partant de la fin du mois)"},
		{"Sa[3-1] 10:00-12:00", 2, "rangs inversés « [3-1 »"},
		{"Sa[1 10:00-12:00", 5, "« ] » attendu pour fermer les rangs ouverts par « [ »"},
		{"Feb 30 off", 4, "jour « 30 » invalide en février (Feb)"},
		{"Apr 31 off", 4, "jour « 31 » invalide en avril (Apr)"},
		{"Dec 26-24 off", 0, "plage de dates inversée « Dec 26-24 »"},
		{"Jan 01-Mar off", 7, "plage de dates incohérente « Jan 01-Mar » : donnez le jour aux deux bornes ou à aucune"},
		{"Jul- Mo", 5, "fin de période attendue après « Jul- » (par exemple Jul-Aug ou Dec 24-26)"},
		{"Jul:", 3, "« : » doit être suivi des jours ou des heures de la même règle"},
		{"Mo-Fr: 09:00-12:00", 5, "« : » inattendu : pas de deux-points après les jours (Mo-Fr 09:00-12:00)"},
		{"Mo 09:00-12:00 Tu", 15, "jour « Tu » inattendu ici : séparez les jours par une virgule (Mo,Tu) et les règles par « ; »"},
		{"Mo Tu 09:00-12:00", 3, "jour « Tu » inattendu ici : séparez les jours par une virgule (Mo,Tu) et les règles par « ; »"},
		{"Mo 09:00-12:00 14:00-18:00", 15, "« 14:00 » inattendu : séparez les plages horaires par une virgule (09:00-12:00,14:00-18:00)"},
		{"Mo-Fr Jul 09:00-12:00", 6, "mois « Jul » inattendu ici : les mois se placent avant les jours (Jul-Aug Mo-Fr 09:00-12:00)"},
		{"Mo-Fr 09:00-12:00; Sa fermé", 22, "« fermé » : écrivez off (ou closed) pour fermé"},
		{"Mo 09:00-12:00 ouvert", 15, "« ouvert » inattendu (attendu une plage horaire HH:MM-HH:MM, off, open, unknown ou un commentaire entre guillemets)"},
		{"Mo 09:00-12:00;; Tu off", 15, "« ; » inattendu (attendu un jour comme Mo, une heure comme 09:00 ou « off »)"},
		{"Mo 09:00-12:00 - Tu", 15, "« - » inattendu après une règle (attendu « ; » entre deux règles)"},
		{"12/7", 0, "« 12/… » inattendu (seul « 24/7 » est accepté)"},
		{"SH Mo,PH off", 6, "« PH » doit être placé avant les jours (SH Mo-Fr)"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) = %v, want a *ParseError", tt.in, err)
			continue
		}
		want := "horaires : position " + strconv.Itoa(tt.pos) + " : " + tt.want
		if err.Error() != want || pe.Pos != tt.pos {
			t.Errorf("Parse(%q)\n got  %q (Pos %d)\n want %q", tt.in, err, pe.Pos, want)
		}
	}
	for _, empty := range []string{"", "   ", "\u00a0\t"} {
		_, err := Parse(empty)
		if err == nil || err.Error() != "horaires : texte vide" {
			t.Errorf("Parse(%q) = %v, want « horaires : texte vide »", empty, err)
		}
	}
}

func TestAccepted(t *testing.T) {
	// Valid forms that must parse, with their canonical writing.
	tests := []struct{ in, want string }{
		{"Mo-Fr 09:00-12:00,14:00-18:30;Sa 08:30-12:00 ; PH   off", "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00; PH off"},
		{"Mo-Fr 09:00 - 12:00 , 14:00 - 18:30", "Mo-Fr 09:00-12:00,14:00-18:30"},
		{"Mo 09:00-12:00, We 14:00-16:00", "Mo 09:00-12:00, We 14:00-16:00"},
		{"Mo 09:00-12:00;", "Mo 09:00-12:00"},
		{"Su,PH closed", "Su,PH off"},
		{"Mo-Fr,PH 10:00-12:00", "Mo-Fr,PH 10:00-12:00"},
		{"Jul,Aug Mo-Fr 10:00-12:00", "Jul,Aug Mo-Fr 10:00-12:00"},
		{"Jul-Aug: Mo-Fr 10:00-12:00", "Jul-Aug Mo-Fr 10:00-12:00"},
		{"Dec 25: off", "Dec 25 off"},
		{"Dec 5 off", "Dec 05 off"},
		{"Dec 24-26 off", "Dec 24-26 off"},
		{"Jan 01-Jan 07 off", "Jan 01-07 off"},
		{"Jul-Jul off", "Jul off"},
		{"Sa[1,3] 10:00-12:00", "Sa[1,3] 10:00-12:00"},
		{"Sa[1-3] 10:00-12:00", "Sa[1,2,3] 10:00-12:00"},
		{"Mo[-1] 09:00-10:00", "Mo[-1] 09:00-10:00"},
		{"SH Mo-Fr 10:00-12:00", "SH Mo-Fr 10:00-12:00"},
		{"Fr 22:00-02:00", "Fr 22:00-02:00"},
		{"Mo-Su 00:00-24:00", "Mo-Su 00:00-24:00"},
		{"24/7", "24/7"},
		{"Mo-Mo 10:00-11:00", "Mo 10:00-11:00"},
		{`"sur rendez-vous"`, `"sur rendez-vous"`},
		{`Mo-Fr 09:00-12:00 unknown "à confirmer"`, `Mo-Fr 09:00-12:00 unknown "à confirmer"`},
	}
	for _, tt := range tests {
		oh, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := oh.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStringRoundTrip(t *testing.T) {
	for _, s := range validSeeds {
		oh, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		again, err := Parse(oh.String())
		if err != nil {
			t.Fatalf("String() of %q = %q does not parse: %v", s, oh.String(), err)
		}
		if again.String() != oh.String() {
			t.Errorf("String() is not stable: %q then %q", oh.String(), again.String())
		}
		if err := sameDays(oh, again, at(2026, 1, 1, 0, 0), 800); err != nil {
			t.Error(err)
		}
	}
}
