package store

import (
	"testing"
	"time"

	"portrea/internal/openinghours"
	"portrea/internal/place"
)

// The index's opening masks must say what the parser says, at every
// quarter hour of a year, including public holidays and calendar rules.
func TestIndexOpenAtAgreesWithParser(t *testing.T) {
	for _, h := range []string{
		"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00; PH off",
		"Tu-Sa 10:00-18:00",
		"Fr 22:00-02:00",
		"24/7",
		"Mo-Su 09:00-18:00; PH 10:00-12:00",
		"Su,PH 10:00-12:00",
		"Jul-Aug off; Mo-Fr 09:00-12:00",
		"Sa[1] 10:00-12:00; Mo 09:00-10:00",
		"Mo 09:10-09:50",
	} {
		e := newEntry(&place.Place{Horaires: h})
		oh, err := openinghours.Parse(h)
		if err != nil {
			t.Fatal(err)
		}
		for at := time.Date(2026, 1, 1, 0, 0, 0, 0, place.Paris); at.Year() == 2026; at = at.Add(15 * time.Minute) {
			if got, want := e.openAt(at, openinghours.IsPublicHoliday(at)), oh.OpenAt(at); got != want {
				t.Fatalf("%q at %s: index says %v, parser %v", h, at, got, want)
			}
		}
	}
	if e := newEntry(&place.Place{Horaires: "n'importe quoi"}); e.openAt(time.Now(), false) {
		t.Error("unparsable hours must never be open")
	}
}

// The hour masks used for time slots must agree with the parser.
func TestSlotsAgreeWithParser(t *testing.T) {
	for _, h := range []string{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "We 11:45-12:15", "Fr 22:00-02:00", "Jul-Aug off; Sa 10:00-12:00", "24/7"} {
		p := &place.Place{ID: h, Horaires: h}
		idx := &publicIndex{entries: []*indexEntry{newEntry(p)}}
		idx.rebuildColumns()
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, place.Paris)
		monday := time.Date(2026, 11, 23, 0, 0, 0, 0, place.Paris)
		oh, _ := openinghours.Parse(h)
		week := oh.Week(monday)
		for day := 0; day < 7; day++ {
			for from := 0; from < 24; from++ {
				for to := from + 1; to <= 24; to++ {
					s := Slot{Day: day, From: from * 60, To: to * 60}
					want := false
					for _, iv := range week[day] {
						want = want || iv.Start < s.To && iv.End > s.From
					}
					if got := idx.cols.openInSlots(0, idx.entries[0], []Slot{s}, hourMasks([]Slot{s}), now); got != want {
						t.Fatalf("%q, day %d %02d-%02d h: %v, parser says %v", h, day, from, to, got, want)
					}
				}
			}
		}
	}
}
