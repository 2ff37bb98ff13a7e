package store

import "testing"

// TestRedactOthers masks, in a text shared with others, everyone but the
// person: other addresses, phone numbers and names, accented ones too.
func TestRedactOthers(t *testing.T) {
	m := newMatcher(Person{Email: "soizic@exemple.fr", Names: []string{"Soizic Le Guen"}, Phones: []string{"02 99 06 00 01"}})
	text := "Présents : Soizic Le Guen (soizic@exemple.fr, 02 99 06 00 01), Élodie Bréhat (elodie@exemple.fr, 06 12 34 56 78) et Yann Morvan ; Élodie Bréhaten absente."
	got := m.redactOthers(text, []string{"Élodie Bréhat", "Yann Morvan"})
	want := "Présents : Soizic Le Guen (soizic@exemple.fr, 02 99 06 00 01), [autre personne] ([autre adresse], [autre numéro]) et [autre personne] ; Élodie Bréhaten absente."
	if got != want {
		t.Errorf("redactOthers =\n%s\nwant\n%s", got, want)
	}
}
