package openinghours

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// validSeeds are real-world and edge-case values, used by the round-trip
// test and, with invalidSeeds, as the fuzzing corpus.
var validSeeds = []string{
	"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "Mo,We,Fr 14:00-17:00", "Tu-Sa 10:00-18:00; PH off", "24/7",
	"Mo-Fr 08:00-18:00; We 12:00-14:00 off", "Fr 22:00-02:00", "Jul-Aug Mo-Fr 10:00-12:00; Sep-Jun Mo-Fr 09:00-17:00",
	`Mo-Fr 09:00-12:00 "sur rendez-vous"`, "Sa[1] 10:00-12:00", "Dec 25 off", "Mo 09:00-12:00, We 14:00-16:00",
	"Mo-Su 00:00-24:00", "Su,PH off", "Jan 01-Jan 07 off", "Dec 24-26 off", "Sa[1,3] 10:00-12:00", "Mo[-1] 09:00-10:00",
	"SH off", "off", `"fermé pour travaux"`, "Apr-Sep Mo-Su 09:00-19:00", "Mo-Fr,PH 10:00-12:00", "Fr-Mo 10:00-11:00",
	"Jul,Aug off", "Dec 24-Jan 02 off; Mo-Sa 09:00-12:00", "Nov-Feb Sa 10:00-12:00", "SH Mo-Fr 14:00-17:00",
	"Mo-Fr 09:00-18:00; Mo 14:00-18:00 unknown", `Mo "sur rendez-vous"`, "Fr 22:00-02:00; Sa 10:00-12:00",
	"Mo-Su 22:00-02:00, Su off", "Jul-Aug: Mo 10:00-12:00", "Sa[2-3] 10:00-12:00", "Mo open", "10:00-12:00; Su off",
	"24/7; PH off", "Mo off, 14:00-16:00", "Dec 25, Mo 10:00-11:00", "SH,PH Mo 10:00-12:00", "PH Mo-Fr off",
	"Jan 01,Dec 25 off", "Mo 22:00-00:00", "Mo-Su 23:00-01:00; Tu off", `Jul "été"`, "Mo 10:00-12:00 open, We",
}

var invalidSeeds = []string{
	"Mo-Fr 09:00-12:00; Lu 14:00-16:00", "Mo-Fr 9h-12h", "Mo-Fr 18:00+", "week 01-10 Mo 09:00-12:00", "Mo-Fr 09:00-25:00",
	"Mo 09:00-12:00 || Tu 10:00-11:00", "Mo-Fr sunrise-sunset", "2026 Dec 25 off", "Mo-Fr 12:00-12:00", "",
	// A colon closing a rule would vanish from String and turn "Jan" and an
	// additional "Feb …" rule into the month list "Jan,Feb".
	"Jan:, Feb 10:00-12:00",
}

// sameDays reports the first of n days from start where a and b differ.
func sameDays(a, b *Hours, start time.Time, n int) error {
	for i := range n {
		day := start.AddDate(0, 0, i)
		if x, y := a.Day(day), b.Day(day); !reflect.DeepEqual(x, y) {
			return fmt.Errorf("%q and %q differ on %s: %v / %v", a, b, day.Format(time.DateOnly), x, y)
		}
	}
	return nil
}

func validIntervals(ivs []Interval) bool {
	for i, v := range ivs {
		if v.Start < 0 || v.Start >= v.End || v.End > 1440 || i > 0 && ivs[i-1].End >= v.Start {
			return false
		}
	}
	return true
}

func FuzzParse(f *testing.F) {
	for _, s := range append(validSeeds, invalidSeeds...) {
		f.Add(s)
	}
	// A year of Sundays to Saturdays around Christmas, the end of a month
	// with five Saturdays (Sa[-1], Sa[5]) and holidays.
	start := time.Date(2026, 12, 20, 0, 0, 0, 0, paris)
	f.Fuzz(func(t *testing.T, s string) {
		oh, err := Parse(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Pos < 0 || pe.Pos > len(s) {
				t.Fatalf("Parse(%q) error %#v", s, err)
			}
			return
		}
		again, err := Parse(oh.String())
		if err != nil {
			t.Fatalf("String() of %q = %q does not parse: %v", s, oh.String(), err)
		}
		if again.String() != oh.String() {
			t.Fatalf("String() of %q is not stable: %q then %q", s, oh.String(), again.String())
		}
		if err := sameDays(oh, again, start, 14); err != nil {
			t.Fatal(err)
		}
		for i := range 14 {
			if d := oh.Day(start.AddDate(0, 0, i)); !validIntervals(d) {
				t.Fatalf("%q: invalid intervals %v", s, d)
			}
		}
		for _, w := range [][7][]Interval{oh.RegularWeek(), oh.HolidayWeek(), oh.Week(start.AddDate(0, 0, 1))} {
			for _, d := range w {
				if !validIntervals(d) {
					t.Fatalf("%q: invalid intervals %v in a week", s, d)
				}
			}
		}
		now := start.Add(10 * time.Hour)
		if next, ok := oh.NextChange(now); ok && (!next.After(now) || oh.OpenAt(next) == oh.OpenAt(now)) {
			t.Fatalf("%q: NextChange(%s) = %s is not a change", s, now, next)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse("Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00; PH off"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenAt(b *testing.B) {
	oh, err := Parse("Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00; PH off")
	if err != nil {
		b.Fatal(err)
	}
	t := at(2026, 11, 26, 10, 30)
	for b.Loop() {
		oh.OpenAt(t)
	}
}
