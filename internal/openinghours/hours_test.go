package openinghours

import (
	"fmt"
	"reflect"
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

func mustParse(t testing.TB, s string) *Hours {
	t.Helper()
	oh, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return oh
}

func TestDay(t *testing.T) {
	mon := at(2026, 11, 23, 0, 0)
	day := func(i int) time.Time { return mon.AddDate(0, 0, i) } // 0 = Monday 23 November 2026
	tests := []struct {
		hours string
		date  time.Time
		want  []Interval
	}{
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", day(0), iv(h(9, 0), h(12, 0), h(14, 0), h(18, 30))},
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", day(4), iv(h(9, 0), h(12, 0), h(14, 0), h(18, 30))},
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", day(5), iv(h(8, 30), h(12, 0))},
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", day(6), nil},
		{"Mo,We,Fr 14:00-17:00", day(1), nil},
		{"Mo,We,Fr 14:00-17:00", day(2), iv(h(14, 0), h(17, 0))},
		{"Mo, We, Fr 14:00-17:00", day(4), iv(h(14, 0), h(17, 0))},
		{"Tu-Sa 10:00-18:00; PH off", at(2026, 11, 11, 0, 0), nil}, // Wednesday 11 November
		{"Tu-Sa 10:00-18:00; PH off", at(2026, 11, 18, 0, 0), iv(h(10, 0), h(18, 0))},
		{"Tu-Sa 10:00-18:00; PH off", day(0), nil},
		{"24/7", day(0), iv(0, 1440)},
		{"24/7; Dec 25 off", at(2026, 12, 25, 0, 0), nil},
		{"Mo-Su 00:00-24:00", day(6), iv(0, 1440)},
		{"Mo-Fr 08:00-18:00; We 12:00-14:00 off", day(2), iv(h(8, 0), h(12, 0), h(14, 0), h(18, 0))},
		{"Mo-Fr 08:00-18:00; We 12:00-14:00 off", day(1), iv(h(8, 0), h(18, 0))},
		{"Mo-Fr 08:00-18:00; We off", day(2), nil},
		{"Mo-Fr 08:00-18:00; We closed", day(2), nil},
		{"Fr 22:00-02:00", day(4), iv(h(22, 0), 1440)},
		{"Fr 22:00-02:00", day(5), iv(0, h(2, 0))},
		{"Fr 22:00-02:00", day(6), nil},
		{"Mo-Su 22:00-02:00", day(1), iv(0, h(2, 0), h(22, 0), 1440)},
		{"Fr 22:00-00:00", day(4), iv(h(22, 0), 1440)},
		{"Fr 22:00-00:00", day(5), nil},
		// A later rule replaces the whole day, the night's spill included,
		// unless the overnight rule comes last or is an additional rule.
		{"Fr 22:00-02:00; Sa 10:00-12:00", day(5), iv(h(10, 0), h(12, 0))},
		{"Sa 10:00-12:00; Fr 22:00-02:00", day(5), iv(0, h(2, 0), h(10, 0), h(12, 0))},
		{"Fr 22:00-02:00, Sa 10:00-12:00", day(5), iv(0, h(2, 0), h(10, 0), h(12, 0))},
		{"Fr 22:00-03:00; Sa 01:00-02:00 off", day(5), iv(0, h(1, 0), h(2, 0), h(3, 0))},
		{"Jul-Aug Mo-Fr 10:00-12:00; Sep-Jun Mo-Fr 09:00-17:00", at(2026, 7, 6, 0, 0), iv(h(10, 0), h(12, 0))},
		{"Jul-Aug Mo-Fr 10:00-12:00; Sep-Jun Mo-Fr 09:00-17:00", at(2026, 8, 31, 0, 0), iv(h(10, 0), h(12, 0))},
		{"Jul-Aug Mo-Fr 10:00-12:00; Sep-Jun Mo-Fr 09:00-17:00", at(2026, 6, 30, 0, 0), iv(h(9, 0), h(17, 0))},
		{"Jul-Aug Mo-Fr 10:00-12:00; Sep-Jun Mo-Fr 09:00-17:00", day(0), iv(h(9, 0), h(17, 0))},
		{"Jul-Aug Mo-Fr 10:00-12:00; Sep-Jun Mo-Fr 09:00-17:00", at(2026, 7, 4, 0, 0), nil}, // Saturday
		{"Mo-Fr 09:00-17:00; Jul,Aug off", at(2026, 8, 3, 0, 0), nil},
		{"Mo-Fr 09:00-17:00; Jul,Aug off", at(2026, 9, 1, 0, 0), iv(h(9, 0), h(17, 0))},
		{"Jul-Aug: Mo-Fr 10:00-12:00", at(2026, 7, 6, 0, 0), iv(h(10, 0), h(12, 0))},
		{`Mo-Fr 09:00-12:00 "sur rendez-vous"`, day(0), iv(h(9, 0), h(12, 0))},
		{"Sa[1] 10:00-12:00", at(2026, 12, 5, 0, 0), iv(h(10, 0), h(12, 0))},
		{"Sa[1] 10:00-12:00", at(2026, 12, 12, 0, 0), nil},
		{"Sa[1,3] 10:00-12:00", at(2026, 12, 19, 0, 0), iv(h(10, 0), h(12, 0))},
		{"Sa[1,3] 10:00-12:00", at(2026, 12, 26, 0, 0), nil},
		{"Sa[2-3] 10:00-12:00", at(2026, 12, 12, 0, 0), iv(h(10, 0), h(12, 0))},
		{"Sa[2-3] 10:00-12:00", at(2026, 12, 5, 0, 0), nil},
		{"Mo[-1] 10:00-12:00", at(2026, 11, 30, 0, 0), iv(h(10, 0), h(12, 0))},
		{"Mo[-1] 10:00-12:00", day(0), nil},
		{"Mo-Su 09:00-18:00; Dec 25 off", at(2026, 12, 25, 0, 0), nil},
		{"Mo-Su 09:00-18:00; Dec 25 off", at(2026, 12, 24, 0, 0), iv(h(9, 0), h(18, 0))},
		{"Mo-Su 09:00-18:00; Dec 24-26 off", at(2026, 12, 26, 0, 0), nil},
		{"Mo-Su 09:00-18:00; Dec 24-26 off", at(2026, 12, 27, 0, 0), iv(h(9, 0), h(18, 0))},
		{"Mo-Su 09:00-18:00; Jan 01-Jan 07 off", at(2027, 1, 7, 0, 0), nil},
		{"Mo-Su 09:00-18:00; Jan 01-Jan 07 off", at(2027, 1, 8, 0, 0), iv(h(9, 0), h(18, 0))},
		{"Mo-Su 09:00-18:00; Dec 24-Jan 02 off", at(2027, 1, 1, 0, 0), nil},
		{"Mo-Su 09:00-18:00; Dec 24-Jan 02 off", at(2026, 12, 23, 0, 0), iv(h(9, 0), h(18, 0))},
		{"Mo 09:00-12:00, We 14:00-16:00", day(0), iv(h(9, 0), h(12, 0))},
		{"Mo 09:00-12:00, We 14:00-16:00", day(2), iv(h(14, 0), h(16, 0))},
		{"Mo-Fr 09:00-12:00, Mo 14:00-16:00", day(0), iv(h(9, 0), h(12, 0), h(14, 0), h(16, 0))},
		{"Mo-Fr 09:00-12:00; Mo 14:00-16:00", day(0), iv(h(14, 0), h(16, 0))},
		{"Mo-Fr 09:00-12:00, We off", day(2), nil},
		{"Mo-Fr 09:00-12:00 ; 14:00-16:00", day(0), iv(h(14, 0), h(16, 0))}, // the time-only rule is every day
		{"Nov-Feb Sa 10:00-12:00", at(2027, 1, 2, 0, 0), iv(h(10, 0), h(12, 0))},
		{"Nov-Feb Sa 10:00-12:00", at(2027, 3, 6, 0, 0), nil},
		{"Dec 24-26 off; Mo-Su 10:00-11:00", at(2026, 12, 25, 0, 0), iv(h(10, 0), h(11, 0))}, // later rule wins
		{"Fr-Mo 10:00-11:00", day(6), iv(h(10, 0), h(11, 0))},
		{"Fr-Mo 10:00-11:00", day(2), nil},
		{"Su,PH 10:00-12:00", at(2026, 11, 11, 0, 0), iv(h(10, 0), h(12, 0))},
		{"Su,PH 10:00-12:00", day(6), iv(h(10, 0), h(12, 0))},
		{"Mo-Fr,PH 10:00-12:00", at(2026, 11, 1, 0, 0), iv(h(10, 0), h(12, 0))}, // Sunday 1 November
		{"SH off; Mo 10:00-11:00", day(0), iv(h(10, 0), h(11, 0))},
		{"Mo 10:00-11:00; SH off", day(0), iv(h(10, 0), h(11, 0))}, // SH never matches
		{"Mo 10:00-11:00; SH Mo 14:00-15:00", day(0), iv(h(10, 0), h(11, 0))},
		{"off", day(0), nil},
		{"Mo open", day(0), iv(0, 1440)},
		{"Mo", day(0), iv(0, 1440)},
		{"10:00-12:00", day(6), iv(h(10, 0), h(12, 0))},
		{`"sur rendez-vous"`, day(0), nil},
		{`Mo-Fr 09:00-12:00; We "sur rendez-vous"`, day(2), nil},
		{"Mo 09:00-12:00 unknown", day(0), nil},
		{"Mo-Fr 09:00-18:00; Mo 14:00-18:00 unknown", day(0), nil},
		{" Mo-Fr\u00a009:00 - 12:00 ;Sa 10:00-11:00 ", day(5), iv(h(10, 0), h(11, 0))},
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

func TestOpenAt(t *testing.T) {
	tests := []struct {
		hours string
		t     time.Time
		open  bool
	}{
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", at(2026, 11, 23, 8, 59), false},
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", at(2026, 11, 23, 9, 0), true},
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", at(2026, 11, 23, 12, 0), false},
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", at(2026, 11, 23, 18, 29), true},
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", at(2026, 11, 28, 8, 30), true},
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", at(2026, 11, 29, 10, 0), false},
		{"Fr 22:00-02:00", at(2026, 11, 28, 1, 0), true}, // Saturday 01:00
		{"Fr 22:00-02:00", at(2026, 11, 28, 2, 0), false},
		{"Fr 22:00-02:00", at(2026, 11, 27, 21, 59), false},
		{"24/7", at(2026, 11, 23, 3, 0), true},
		{"Mo-Su 00:00-24:00", at(2026, 11, 29, 23, 59), true},
		{"Tu-Sa 10:00-18:00; PH off", at(2026, 11, 11, 11, 0), false},
		{"Tu-Sa 10:00-18:00; PH off", at(2026, 11, 12, 11, 0), true},
		{"Mo-Fr 09:00-12:00 unknown", at(2026, 11, 23, 10, 0), false},
		{`Mo-Fr 09:00-12:00 "sur rendez-vous"`, at(2026, 11, 23, 10, 0), true},
		// Wall-clock time in the time's own location.
		{"Mo 09:00-10:00", time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC), false},
		{"Mo 09:00-10:00", time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC), true},
		{"Mo 09:00-10:00", time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC).In(paris), true},
		{"Mo 09:00-10:00", time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC).In(paris), false},
	}
	for _, tt := range tests {
		if got := mustParse(t, tt.hours).OpenAt(tt.t); got != tt.open {
			t.Errorf("%q OpenAt(%s) = %v, want %v", tt.hours, tt.t.Format("Mon 2006-01-02 15:04 MST"), got, tt.open)
		}
	}
}

func TestNextChange(t *testing.T) {
	const weekly = "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00; PH off"
	tests := []struct {
		hours string
		t     time.Time
		next  time.Time // zero: no change within 8 days
	}{
		{weekly, at(2026, 11, 23, 8, 59), at(2026, 11, 23, 9, 0)},
		{weekly, at(2026, 11, 23, 9, 0), at(2026, 11, 23, 12, 0)},
		{weekly, at(2026, 11, 23, 11, 59), at(2026, 11, 23, 12, 0)},
		{weekly, at(2026, 11, 23, 12, 0), at(2026, 11, 23, 14, 0)},
		{weekly, at(2026, 11, 28, 13, 0), at(2026, 11, 30, 9, 0)}, // Saturday afternoon → Monday
		{weekly, at(2026, 11, 11, 10, 0), at(2026, 11, 12, 9, 0)}, // 11 November
		{"Fr 22:00-02:00", at(2026, 11, 27, 23, 0), at(2026, 11, 28, 2, 0)},
		{"Fr 22:00-02:00", at(2026, 11, 28, 3, 0), at(2026, 12, 4, 22, 0)},
		{"Mo-Fr 20:00-24:00; Tu-Sa 00:00-08:00", at(2026, 11, 23, 21, 0), at(2026, 11, 24, 8, 0)}, // open over midnight
		{"Mo 10:00-12:00", at(2026, 11, 23, 13, 0), at(2026, 11, 30, 10, 0)},
		{"Mo[1] 10:00-12:00", at(2026, 11, 23, 13, 0), time.Time{}}, // next one in 14 days
		{"24/7", at(2026, 11, 23, 9, 0), time.Time{}},
		{"off", at(2026, 11, 23, 9, 0), time.Time{}},
		{"Mo-Su 09:00-18:00", at(2026, 3, 29, 1, 0), at(2026, 3, 29, 9, 0)}, // DST starts that night
	}
	for _, tt := range tests {
		got, ok := mustParse(t, tt.hours).NextChange(tt.t)
		if ok != !tt.next.IsZero() || ok && !got.Equal(tt.next) {
			t.Errorf("%q NextChange(%s) = %s, %v; want %s", tt.hours, tt.t, got, ok, tt.next)
		}
	}
}

func TestWeeks(t *testing.T) {
	oh := mustParse(t, "Mo-Fr 09:00-12:00; Sa[1],Su 10:00-12:00; PH off; Jul-Aug off")
	mon := at(2026, 11, 2, 0, 0) // Monday; 7 November is the first Saturday, 11 November the Wednesday after
	w := oh.Week(mon)
	want := [7][]Interval{iv(h(9, 0), h(12, 0)), iv(h(9, 0), h(12, 0)), iv(h(9, 0), h(12, 0)), iv(h(9, 0), h(12, 0)),
		iv(h(9, 0), h(12, 0)), iv(h(10, 0), h(12, 0)), iv(h(10, 0), h(12, 0))}
	if !reflect.DeepEqual(w, want) {
		t.Errorf("Week = %v, want %v", w, want)
	}
	if got := oh.WeeklyMinutes(mon); got != 5*180+2*120 {
		t.Errorf("WeeklyMinutes = %d", got)
	}
	if got := oh.WeeklyMinutes(mon.AddDate(0, 0, 7)); got != 4*180+120 { // 11 November, no first Saturday
		t.Errorf("WeeklyMinutes of the week of 11 November = %d", got)
	}
	if got := oh.WeeklyMinutes(at(2026, 7, 6, 0, 0)); got != 0 {
		t.Errorf("WeeklyMinutes in July = %d", got)
	}
	reg := oh.RegularWeek()
	wantReg := want
	wantReg[5] = nil // Sa[1] is not an ordinary Saturday
	if !reflect.DeepEqual(reg, wantReg) {
		t.Errorf("RegularWeek = %v, want %v", reg, wantReg)
	}
	if hol := oh.HolidayWeek(); !reflect.DeepEqual(hol, [7][]Interval{}) {
		t.Errorf("HolidayWeek = %v, want closed", hol)
	}
	night := mustParse(t, "Fr 22:00-02:00; Su,PH off").RegularWeek()
	if !reflect.DeepEqual(night[4], iv(h(22, 0), 1440)) || !reflect.DeepEqual(night[5], iv(0, h(2, 0))) || night[6] != nil {
		t.Errorf("RegularWeek with an overnight span = %v", night)
	}
}

func TestDateDependent(t *testing.T) {
	tests := []struct {
		hours                      string
		date, calendar, mentionsPH bool
	}{
		{"Mo-Fr 09:00-12:00", false, false, false},
		{"Mo-Fr 09:00-12:00; We 12:00-14:00 off", false, false, false},
		{"24/7", false, false, false},
		{"Mo-Fr 09:00-12:00; PH off", true, false, true},
		{"Su,PH off", true, false, true},
		{"Mo-Fr 09:00-12:00; SH off", true, true, false},
		{"Sa[1] 10:00-12:00", true, true, false},
		{"Jul-Aug Mo 10:00-12:00", true, true, false},
		{"Dec 25 off", true, true, false},
	}
	for _, tt := range tests {
		oh := mustParse(t, tt.hours)
		if oh.DateDependent() != tt.date || oh.CalendarDependent() != tt.calendar || oh.MentionsHolidays() != tt.mentionsPH {
			t.Errorf("%q: DateDependent %v, CalendarDependent %v, MentionsHolidays %v; want %v %v %v", tt.hours,
				oh.DateDependent(), oh.CalendarDependent(), oh.MentionsHolidays(), tt.date, tt.calendar, tt.mentionsPH)
		}
	}
}

func TestComments(t *testing.T) {
	oh := mustParse(t, `Mo-Fr 09:00-12:00 "sur rendez-vous"; Sa 10:00-12:00 "sur rendez-vous"; PH off "fermé les jours fériés"`)
	want := []string{"sur rendez-vous", "fermé les jours fériés"}
	if got := oh.Comments(); !reflect.DeepEqual(got, want) {
		t.Errorf("Comments = %q, want %q", got, want)
	}
	if got := mustParse(t, "Mo 09:00-12:00").Comments(); got != nil {
		t.Errorf("Comments without comment = %q", got)
	}
}

func TestFormatFrench(t *testing.T) {
	tests := []struct {
		in   []Interval
		want string
	}{
		{nil, "fermé"},
		{iv(0, 1440), "24 h/24"},
		{iv(h(9, 0), h(12, 0), h(14, 0), h(18, 30)), "9 h – 12 h, 14 h – 18 h 30"},
		{iv(0, h(2, 0), h(22, 0), 1440), "0 h – 2 h, 22 h – 24 h"},
		{iv(h(8, 5), h(12, 0)), "8 h 05 – 12 h"},
	}
	for _, tt := range tests {
		if got := FormatFrench(tt.in); got != tt.want {
			t.Errorf("FormatFrench(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func ExampleHours_Day() {
	oh, _ := Parse("Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00; PH off")
	fmt.Println(FormatFrench(oh.Day(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))))
	fmt.Println(FormatFrench(oh.Day(time.Date(2026, 11, 11, 0, 0, 0, 0, time.UTC))))
	// Output:
	// 9 h – 12 h, 14 h – 18 h 30
	// fermé
}
