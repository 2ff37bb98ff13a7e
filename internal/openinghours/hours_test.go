package openinghours

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

var paris = func() *time.Location {
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return l
}()

// at builds a Paris time; 2026-11-23 is a Monday.
func at(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, paris) }

func iv(pairs ...int) []Interval {
	var out []Interval
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, Interval{pairs[i], pairs[i+1]})
	}
	return out
}

func h(hh, mm int) int { return hh*60 + mm }

func TestDay(t *testing.T) {
	mon := at(2026, 11, 23, 0, 0)
	tests := []struct {
		hours string
		date  time.Time
		want  []Interval
	}{
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", mon, iv(h(9, 0), h(12, 0), h(14, 0), h(18, 30))},
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", mon.AddDate(0, 0, 5), iv(h(8, 30), h(12, 0))},
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", mon.AddDate(0, 0, 6), nil},
		{"Mo,We,Fr 14:00-17:00", mon.AddDate(0, 0, 1), nil},
		{"Mo,We,Fr 14:00-17:00", mon.AddDate(0, 0, 2), iv(h(14, 0), h(17, 0))},
		{"Tu-Sa 10:00-18:00; PH off", at(2026, 11, 11, 0, 0), nil}, // Wednesday 11 November
		{"Tu-Sa 10:00-18:00; PH off", at(2026, 11, 18, 0, 0), iv(h(10, 0), h(18, 0))},
		{"24/7", mon, iv(0, 1440)},
		{"Mo-Su 00:00-24:00", mon, iv(0, 1440)},
		{"Mo-Fr 08:00-18:00; We 12:00-14:00 off", mon.AddDate(0, 0, 2), iv(h(8, 0), h(12, 0), h(14, 0), h(18, 0))},
		{"Fr 22:00-02:00", mon.AddDate(0, 0, 4), iv(h(22, 0), 1440)},
		{"Fr 22:00-02:00", mon.AddDate(0, 0, 5), iv(0, h(2, 0))},
		{"Jul-Aug Mo-Fr 10:00-12:00; Sep-Jun Mo-Fr 09:00-17:00", at(2026, 7, 6, 0, 0), iv(h(10, 0), h(12, 0))},
		{"Jul-Aug Mo-Fr 10:00-12:00; Sep-Jun Mo-Fr 09:00-17:00", mon, iv(h(9, 0), h(17, 0))},
		{`Mo-Fr 09:00-12:00 "sur rendez-vous"`, mon, iv(h(9, 0), h(12, 0))},
		{"Sa[1] 10:00-12:00", at(2026, 12, 5, 0, 0), iv(h(10, 0), h(12, 0))},
		{"Sa[1] 10:00-12:00", at(2026, 12, 12, 0, 0), nil},
		{"Mo[-1] 10:00-12:00", at(2026, 11, 30, 0, 0), iv(h(10, 0), h(12, 0))},
		{"Mo[-1] 10:00-12:00", mon, nil},
		{"Mo-Su 09:00-18:00; Dec 25 off", at(2026, 12, 25, 0, 0), nil},
		{"Mo-Su 09:00-18:00; Dec 25 off", at(2026, 12, 24, 0, 0), iv(h(9, 0), h(18, 0))},
		{"Mo 09:00-12:00, We 14:00-16:00", mon, iv(h(9, 0), h(12, 0))},
		{"Mo 09:00-12:00, We 14:00-16:00", mon.AddDate(0, 0, 2), iv(h(14, 0), h(16, 0))},
		{"Mo-Fr 09:00-12:00, Mo 14:00-16:00", mon, iv(h(9, 0), h(12, 0), h(14, 0), h(16, 0))},
		{"Mo-Fr 09:00-12:00; Mo 14:00-16:00", mon, iv(h(14, 0), h(16, 0))},
		{"Nov-Feb Sa 10:00-12:00", at(2027, 1, 2, 0, 0), iv(h(10, 0), h(12, 0))},
		{"Dec 24-26 off; Mo-Su 10:00-11:00", at(2026, 12, 25, 0, 0), iv(h(10, 0), h(11, 0))}, // later rule wins
		{"Fr-Mo 10:00-11:00", mon.AddDate(0, 0, 6), iv(h(10, 0), h(11, 0))},
		{"Fr-Mo 10:00-11:00", mon.AddDate(0, 0, 2), nil},
		{"SH off; Mo 10:00-11:00", mon, iv(h(10, 0), h(11, 0))},
		{"off", mon, nil},
		{`"sur rendez-vous"`, mon, nil},
		{"Mo 09:00-12:00 unknown", mon, nil},
	}
	for _, tt := range tests {
		oh, err := Parse(tt.hours)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.hours, err)
			continue
		}
		if got := oh.Day(tt.date); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q on %s = %v, want %v", tt.hours, tt.date.Format("Mon 2006-01-02"), got, tt.want)
		}
	}
}

func TestOpenAtAndNextChange(t *testing.T) {
	oh, err := Parse("Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00; PH off")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		t    time.Time
		open bool
		next time.Time
	}{
		{at(2026, 11, 23, 8, 59), false, at(2026, 11, 23, 9, 0)},
		{at(2026, 11, 23, 9, 0), true, at(2026, 11, 23, 12, 0)},
		{at(2026, 11, 23, 11, 59), true, at(2026, 11, 23, 12, 0)},
		{at(2026, 11, 23, 12, 0), false, at(2026, 11, 23, 14, 0)},
		{at(2026, 11, 28, 13, 0), false, at(2026, 11, 30, 9, 0)}, // Saturday afternoon → Monday
		{at(2026, 11, 11, 10, 0), false, at(2026, 11, 12, 9, 0)}, // 11 November
	}
	for _, tt := range tests {
		if got := oh.OpenAt(tt.t); got != tt.open {
			t.Errorf("OpenAt(%s) = %v", tt.t, got)
		}
		if got, ok := oh.NextChange(tt.t); !ok || !got.Equal(tt.next) {
			t.Errorf("NextChange(%s) = %s, %v; want %s", tt.t, got, ok, tt.next)
		}
	}
	always, _ := Parse("24/7")
	if _, ok := always.NextChange(at(2026, 11, 23, 9, 0)); ok {
		t.Error("24/7 has a next change")
	}
	night, _ := Parse("Fr 22:00-02:00")
	if !night.OpenAt(at(2026, 11, 28, 1, 0)) || night.OpenAt(at(2026, 11, 28, 2, 0)) {
		t.Error("overnight span not applied to Saturday night")
	}
	if got, _ := night.NextChange(at(2026, 11, 27, 23, 0)); !got.Equal(at(2026, 11, 28, 2, 0)) {
		t.Errorf("overnight close = %s", got)
	}
}

func TestWeeks(t *testing.T) {
	oh, err := Parse("Mo-Fr 09:00-12:00; Sa 10:00-12:00; PH off; Jul-Aug off")
	if err != nil {
		t.Fatal(err)
	}
	mon := at(2026, 11, 9, 0, 0) // the week of 11 November
	w := oh.Week(mon)
	if w[2] != nil || !reflect.DeepEqual(w[1], iv(h(9, 0), h(12, 0))) || w[6] != nil {
		t.Errorf("Week = %v", w)
	}
	if got := oh.WeeklyMinutes(mon); got != 4*180+120 {
		t.Errorf("WeeklyMinutes = %d", got)
	}
	reg := oh.RegularWeek()
	if !reflect.DeepEqual(reg[2], iv(h(9, 0), h(12, 0))) || !reflect.DeepEqual(reg[5], iv(h(10, 0), h(12, 0))) {
		t.Errorf("RegularWeek = %v", reg)
	}
	if hol := oh.HolidayWeek(); hol[0] != nil || hol[5] != nil {
		t.Errorf("HolidayWeek = %v, want closed", hol)
	}
	if !oh.DateDependent() || !oh.CalendarDependent() || !oh.MentionsHolidays() {
		t.Error("calendar dependence not seen")
	}
	plain, _ := Parse("Mo-Fr 09:00-12:00; PH off")
	if !plain.DateDependent() || plain.CalendarDependent() {
		t.Error("PH alone: date dependent, but described by regular + holiday weeks")
	}
	simple, _ := Parse("Mo-Fr 09:00-12:00")
	if simple.DateDependent() {
		t.Error("weekday rules are not date dependent")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "texte vide"},
		{"   ", "texte vide"},
		{"Mo-Fr 25:00-26:00", "heure invalide « 25:00 »"},
		{"Mo-Fr 09:60-12:00", "heure invalide"},
		{"Lu-Ve 09:00-12:00", "jour « Lu » en français : écrivez Mo"},
		{"Mo-Fr 9h-12h", "écrivez 09:00"},
		{"Mo-Fr 9:00-12:00", "écrivez 09:00"},
		{"Mo-Fr 12:00-12:00", "plage horaire vide ou inversée « 12:00-12:00 »"},
		{"Mo-Fr 09:00", "plage horaire incomplète"},
		{"Mo-Fr 18:00+", "heure de fin ouverte"},
		{"Mo-Fr sunrise-sunset", "heures solaires"},
		{"week 01-10 Mo 09:00-12:00", "sélecteur de semaines"},
		{"2026 Dec 25 off", "années"},
		{"Mo 09:00-12:00 || Tu 10:00-11:00", "règle de repli"},
		{"Xy 09:00-12:00", "jour inconnu « Xy »"},
		{"Mo-Xy 09:00-12:00", "jour de fin « Xy » inconnu"},
		{`Mo 09:00-12:00 "sur rendez-vous`, "commentaire non fermé"},
		{"Mo 09:00–12:00", "tiret long"},
		{"Sa[7] 10:00-12:00", "rang « 7 »"},
		{"Feb 30 off", "jour du mois « 30 »"},
		{"Mo 09:00-12:00 Tu", "inattendu après une règle"},
		{"Mo 24:00-12:00", "heure invalide « 24:00 »"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) accepted", tt.in)
			continue
		}
		if _, ok := err.(*ParseError); !ok || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "horaires : position ") {
			t.Errorf("Parse(%q) = %q, want it to contain %q", tt.in, err, tt.want)
		}
	}
}

func TestPublicHolidays(t *testing.T) {
	for _, d := range []string{"2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25", "2026-07-14",
		"2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25", "2027-03-29", "2027-05-06", "2027-05-17"} {
		day, _ := time.Parse(time.DateOnly, d)
		if !IsPublicHoliday(day) {
			t.Errorf("%s is a public holiday", d)
		}
	}
	for _, d := range []string{"2026-04-05", "2026-04-03", "2026-12-26", "2026-11-12", "2027-03-28"} {
		day, _ := time.Parse(time.DateOnly, d)
		if IsPublicHoliday(day) {
			t.Errorf("%s is not a public holiday", d)
		}
	}
}

func TestStringRoundTrip(t *testing.T) {
	for _, s := range seeds {
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
		sameDays(t, oh, again)
	}
	oh, _ := Parse("Mo-Fr 09:00-12:00,14:00-18:30;Sa 08:30-12:00 ; PH   off")
	if got := oh.String(); got != "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00; PH off" {
		t.Errorf("canonical form = %q", got)
	}
}

// sameDays checks that two hours give the same days over more than a year.
func sameDays(t testing.TB, a, b *Hours) {
	t.Helper()
	d := at(2026, 1, 1, 0, 0)
	for i := 0; i < 400; i += 3 {
		day := d.AddDate(0, 0, i)
		if x, y := a.Day(day), b.Day(day); !reflect.DeepEqual(x, y) {
			t.Fatalf("%q and %q differ on %s: %v / %v", a, b, day.Format(time.DateOnly), x, y)
		}
	}
}

func TestFormatFrench(t *testing.T) {
	tests := map[string][]Interval{
		"fermé":                      nil,
		"24 h/24":                    iv(0, 1440),
		"9 h – 12 h, 14 h – 18 h 30": iv(h(9, 0), h(12, 0), h(14, 0), h(18, 30)),
	}
	for want, in := range tests {
		if got := FormatFrench(in); got != want {
			t.Errorf("FormatFrench(%v) = %q, want %q", in, got, want)
		}
	}
}

var seeds = []string{
	"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "Mo,We,Fr 14:00-17:00", "Tu-Sa 10:00-18:00; PH off", "24/7",
	"Mo-Fr 08:00-18:00; We 12:00-14:00 off", "Fr 22:00-02:00", "Jul-Aug Mo-Fr 10:00-12:00; Sep-Jun Mo-Fr 09:00-17:00",
	`Mo-Fr 09:00-12:00 "sur rendez-vous"`, "Sa[1] 10:00-12:00", "Dec 25 off", "Mo 09:00-12:00, We 14:00-16:00",
	"Mo-Su 00:00-24:00", "Su,PH off", "Jan 01-Jan 07 off", "Dec 24-26 off", "Sa[1,3] 10:00-12:00", "Mo[-1] 09:00-10:00",
	"SH off", "off", `"fermé pour travaux"`, "Apr-Sep Mo-Su 09:00-19:00",
}

func FuzzParse(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		oh, err := Parse(s)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		again, err := Parse(oh.String())
		if err != nil {
			t.Fatalf("String() of %q = %q does not parse: %v", s, oh.String(), err)
		}
		for i := 0; i < 14; i++ {
			day := at(2026, 12, 20, 0, 0).AddDate(0, 0, i)
			x := oh.Day(day)
			if y := again.Day(day); !reflect.DeepEqual(x, y) {
				t.Fatalf("%q and its String() %q differ on %s", s, oh.String(), day)
			}
			for j, v := range x {
				if v.Start < 0 || v.Start >= v.End || v.End > 1440 || j > 0 && x[j-1].End >= v.Start {
					t.Fatalf("%q: bad intervals %v", s, x)
				}
			}
		}
		oh.NextChange(at(2026, 12, 20, 10, 0))
		oh.RegularWeek()
		oh.HolidayWeek()
	})
}

func BenchmarkParse(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := Parse("Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00; PH off"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenAt(b *testing.B) {
	oh, _ := Parse("Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00; PH off")
	t := at(2026, 11, 26, 10, 30)
	for i := 0; i < b.N; i++ {
		oh.OpenAt(t)
	}
}

func ExampleHours_Day() {
	oh, _ := Parse("Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00; PH off")
	fmt.Println(FormatFrench(oh.Day(at(2026, 11, 26, 0, 0))))
	fmt.Println(FormatFrench(oh.Day(at(2026, 11, 11, 0, 0))))
	// Output:
	// 9 h – 12 h, 14 h – 18 h 30
	// fermé
}
