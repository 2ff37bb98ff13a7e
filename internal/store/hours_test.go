package store

import (
	"strings"
	"testing"
	"time"

	"portrea/internal/openinghours"
)

// The stored masks must say exactly what the parser says, at every
// quarter hour of a year, for hours that do not depend on the calendar.
func TestHoursMasksAgreeWithParser(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	for _, h := range []string{
		"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00; PH off",
		"Tu-Sa 10:00-18:00",
		"Fr 22:00-02:00",
		"24/7",
		"Mo-Su 09:00-18:00; PH 10:00-12:00",
		"Su,PH 10:00-12:00",
	} {
		week, holiday, dated := hoursColumns(h)
		if dated || len(week) != hoursPerWeek {
			t.Fatalf("%q: dated %v, mask of %d", h, dated, len(week))
		}
		oh, _ := openinghours.Parse(h)
		for at := time.Date(2026, 1, 1, 0, 0, 0, 0, paris); at.Year() == 2026; at = at.Add(15 * time.Minute) {
			mask := week
			if holiday != "" && openinghours.IsPublicHoliday(at) {
				mask = holiday
			}
			if got, want := maskOpen(mask, weekSlot(at)), oh.OpenAt(at); got != want {
				t.Fatalf("%q at %s: mask says %v, parser %v", h, at, got, want)
			}
		}
	}
	if _, _, dated := hoursColumns("Jul-Aug off; Mo-Fr 09:00-12:00"); !dated {
		t.Error("month rules must be checked one by one")
	}
	if w, h, d := hoursColumns("n'importe quoi"); w != "" || h != "" || d {
		t.Error("unparsable hours must give no mask")
	}
	w, _, _ := hoursColumns("Mo 09:10-09:50")
	if n := strings.Count(w, "A"); n != hoursPerWeek-1 || w[9] != 'A'+2+4+8 {
		t.Errorf("quarter hours starting inside the span: %q", w[:24])
	}
}

// maskOpen reads a stored mask the way the SQL condition does.
func maskOpen(mask string, slot int) bool {
	return strings.Contains(maskLetters(slot), "'"+mask[slot/4:slot/4+1]+"'")
}
