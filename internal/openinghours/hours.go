package openinghours

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Interval is an opening span within one day, in minutes since local
// midnight: 0 ≤ Start < End ≤ 1440.
type Interval struct{ Start, End int }

// Hours is a parsed opening_hours value.
type Hours struct {
	rules []rule
}

// DayNamesFR are the French names of the days, Monday first.
var DayNamesFR = [7]string{"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"}

// calendar says what a day is, for rule matching.
type calendar struct {
	weekday     int // 0 = Monday
	month, day  int
	daysInMonth int
	holiday     bool
	// regular ignores rules that depend on the calendar (months, dates,
	// n-th weekdays), to describe an ordinary week.
	regular bool
}

func calendarOf(date time.Time) calendar {
	y, m, d := date.Date()
	return calendar{
		weekday:     (int(date.Weekday()) + 6) % 7,
		month:       int(m),
		day:         d,
		daysInMonth: time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day(),
		holiday:     IsPublicHoliday(date),
	}
}

func (r *rule) matches(c calendar) bool {
	if c.regular && (r.months != nil || r.hasNth()) {
		return false
	}
	if r.months != nil {
		ok := false
		for _, m := range r.months {
			if m.contains(c.month, c.day) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if r.days == nil {
		return true
	}
	for _, d := range r.days {
		if d.matches(c) {
			return true
		}
	}
	return false
}

func (r *rule) hasNth() bool {
	for _, d := range r.days {
		if d.nth != nil {
			return true
		}
	}
	return false
}

func (m monthRange) contains(month, day int) bool {
	from, to, cur := m.fromMonth*100+m.fromDay, m.toMonth*100+m.toDay, month*100+day
	if m.fromDay == 0 {
		from, to, cur = m.fromMonth, m.toMonth, month
	}
	if from <= to {
		return cur >= from && cur <= to
	}
	return cur >= from || cur <= to // wraps over the new year (Nov-Feb)
}

func (d dayItem) matches(c calendar) bool {
	switch d.holiday {
	case "PH":
		return c.holiday
	case "SH":
		return false // school calendars are unknown: SH never matches
	}
	in := d.from <= d.to && c.weekday >= d.from && c.weekday <= d.to ||
		d.from > d.to && (c.weekday >= d.from || c.weekday <= d.to)
	if !in || d.nth == nil {
		return in
	}
	for _, n := range d.nth {
		if n > 0 && (c.day-1)/7+1 == n || n < 0 && (c.daysInMonth-c.day)/7+1 == -n {
			return true
		}
	}
	return false
}

// raw evaluates the rules for one day; spans may end after midnight
// (up to 2880) when they spill into the next day.
func (h *Hours) raw(c calendar) []Interval {
	var cur []Interval
	for i := range h.rules {
		r := &h.rules[i]
		if !r.matches(c) {
			continue
		}
		spans := r.spans
		if spans == nil {
			spans = []Interval{{0, 1440}}
		}
		switch {
		case r.mod == modOpen && r.additional:
			cur = union(cur, spans)
		case r.mod == modOpen:
			cur = union(nil, spans)
		case r.spans != nil: // off or unknown for some hours only
			cur = subtract(cur, spans)
		default: // off or unknown for the whole day
			cur = nil
		}
	}
	return cur
}

// day evaluates a calendar day: its own spans within 24 h, plus what the
// previous day's overnight spans spill into it.
func (h *Hours) day(c, prev calendar) []Interval {
	var out []Interval
	for _, iv := range h.raw(c) {
		if iv.Start < 1440 {
			out = append(out, Interval{iv.Start, min(iv.End, 1440)})
		}
	}
	for _, iv := range h.raw(prev) {
		if iv.End > 1440 {
			out = append(out, Interval{max(iv.Start, 1440) - 1440, iv.End - 1440})
		}
	}
	return union(nil, out)
}

// Day returns the opening intervals of a calendar day (in date's location).
func (h *Hours) Day(date time.Time) []Interval {
	d := midnight(date)
	return h.day(calendarOf(d), calendarOf(d.AddDate(0, 0, -1)))
}

// OpenAt reports whether the place is open at t (read in t's location).
func (h *Hours) OpenAt(t time.Time) bool {
	m := t.Hour()*60 + t.Minute()
	for _, iv := range h.Day(t) {
		if m >= iv.Start && m < iv.End {
			return true
		}
	}
	return false
}

// NextChange returns the next time, within 8 days after t, when the place
// opens or closes; false when nothing changes (always open or never).
func (h *Hours) NextChange(t time.Time) (time.Time, bool) {
	open := h.OpenAt(t)
	start := midnight(t)
	for d := 0; d <= 8; d++ {
		date := start.AddDate(0, 0, d)
		ivs := h.Day(date)
		for _, b := range bounds(ivs) {
			at := time.Date(date.Year(), date.Month(), date.Day(), b/60, b%60, 0, 0, date.Location())
			if b == 1440 {
				at = time.Date(date.Year(), date.Month(), date.Day()+1, 0, 0, 0, 0, date.Location())
			}
			if !at.After(t) {
				continue
			}
			if h.OpenAt(at) != open {
				return at, true
			}
		}
	}
	return time.Time{}, false
}

func bounds(ivs []Interval) []int {
	var out []int
	for _, iv := range ivs {
		out = append(out, iv.Start, iv.End)
	}
	return out
}

// Week returns the opening intervals of the 7 days starting at monday.
func (h *Hours) Week(monday time.Time) [7][]Interval {
	var w [7][]Interval
	d := midnight(monday)
	for i := range w {
		w[i] = h.Day(d.AddDate(0, 0, i))
	}
	return w
}

// WeeklyMinutes is the total opening time of the week starting at monday.
func (h *Hours) WeeklyMinutes(monday time.Time) int {
	total := 0
	for _, day := range h.Week(monday) {
		for _, iv := range day {
			total += iv.End - iv.Start
		}
	}
	return total
}

// RegularWeek describes an ordinary week, Monday first: weekday rules only,
// ignoring rules that need a month, a date, a holiday or an n-th weekday.
func (h *Hours) RegularWeek() [7][]Interval { return h.typicalWeek(false) }

// HolidayWeek is RegularWeek for a week where every day is a public
// holiday: what a Monday, a Tuesday… that is a public holiday looks like.
func (h *Hours) HolidayWeek() [7][]Interval { return h.typicalWeek(true) }

func (h *Hours) typicalWeek(holiday bool) [7][]Interval {
	var w [7][]Interval
	for i := range w {
		c := calendar{weekday: i, regular: true, holiday: holiday, day: 15, daysInMonth: 30}
		p := calendar{weekday: (i + 6) % 7, regular: true, holiday: holiday, day: 14, daysInMonth: 30}
		w[i] = h.day(c, p)
	}
	return w
}

// DateDependent reports whether the hours depend on the calendar date and
// not only on the weekday: months, dates, holidays or n-th weekdays.
func (h *Hours) DateDependent() bool {
	return h.MentionsHolidays() || h.CalendarDependent()
}

// CalendarDependent reports whether some rule needs a month, a date, an
// n-th weekday or school holidays, which RegularWeek and HolidayWeek
// cannot describe.
func (h *Hours) CalendarDependent() bool {
	for _, r := range h.rules {
		if r.months != nil || r.hasNth() {
			return true
		}
		for _, d := range r.days {
			if d.holiday == "SH" {
				return true
			}
		}
	}
	return false
}

// MentionsHolidays reports whether some rule selects public holidays.
func (h *Hours) MentionsHolidays() bool {
	for _, r := range h.rules {
		for _, d := range r.days {
			if d.holiday == "PH" {
				return true
			}
		}
	}
	return false
}

// Comments returns the comments of the rules, in order.
func (h *Hours) Comments() []string {
	var out []string
	for _, r := range h.rules {
		if r.comment != "" {
			out = append(out, r.comment)
		}
	}
	return out
}

// String writes the hours back in canonical OSM form.
func (h *Hours) String() string {
	var b strings.Builder
	for i, r := range h.rules {
		if i > 0 {
			if r.additional {
				b.WriteString(", ")
			} else {
				b.WriteString("; ")
			}
		}
		b.WriteString(r.String())
	}
	return b.String()
}

func (r rule) String() string {
	var parts []string
	if r.all {
		parts = append(parts, "24/7")
	}
	if r.months != nil {
		var ms []string
		for _, m := range r.months {
			ms = append(ms, m.String())
		}
		parts = append(parts, strings.Join(ms, ","))
	}
	if r.days != nil {
		var ds []string
		for _, d := range r.days {
			ds = append(ds, d.String())
		}
		parts = append(parts, strings.Join(ds, ","))
	}
	if r.spans != nil && !r.all {
		var ts []string
		for _, s := range r.spans {
			end := s.End
			if end > 1440 {
				end -= 1440
			}
			ts = append(ts, fmt.Sprintf("%02d:%02d-%02d:%02d", s.Start/60, s.Start%60, end/60, end%60))
		}
		parts = append(parts, strings.Join(ts, ","))
	}
	if r.explicit {
		parts = append(parts, [...]string{"open", "off", "unknown"}[r.mod])
	}
	if r.comment != "" {
		parts = append(parts, `"`+r.comment+`"`)
	}
	return strings.Join(parts, " ")
}

func (m monthRange) String() string {
	s := monthNames[m.fromMonth]
	if m.fromDay > 0 {
		s += fmt.Sprintf(" %02d", m.fromDay)
	}
	switch {
	case m.fromMonth == m.toMonth && m.fromDay == m.toDay:
	case m.fromDay > 0 && m.fromMonth == m.toMonth:
		s += fmt.Sprintf("-%02d", m.toDay)
	case m.fromDay > 0:
		s += fmt.Sprintf("-%s %02d", monthNames[m.toMonth], m.toDay)
	default:
		s += "-" + monthNames[m.toMonth]
	}
	return s
}

func (d dayItem) String() string {
	if d.holiday != "" {
		return d.holiday
	}
	s := weekdayNames[d.from]
	if d.to != d.from {
		s += "-" + weekdayNames[d.to]
	}
	if d.nth != nil {
		var ns []string
		for _, n := range d.nth {
			ns = append(ns, fmt.Sprint(n))
		}
		s += "[" + strings.Join(ns, ",") + "]"
	}
	return s
}

// FormatFrench writes a day's intervals for people: "9 h – 12 h, 14 h –
// 18 h 30", "fermé" when empty, "24 h/24" for the whole day.
func FormatFrench(iv []Interval) string {
	if len(iv) == 0 {
		return "fermé"
	}
	if len(iv) == 1 && iv[0] == (Interval{0, 1440}) {
		return "24 h/24"
	}
	parts := make([]string, len(iv))
	for i, x := range iv {
		parts[i] = frenchClock(x.Start) + " – " + frenchClock(x.End)
	}
	return strings.Join(parts, ", ")
}

func frenchClock(m int) string {
	if m%60 == 0 {
		return fmt.Sprintf("%d h", m/60)
	}
	return fmt.Sprintf("%d h %02d", m/60, m%60)
}

func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// union merges interval lists into sorted, non-overlapping intervals.
func union(a, b []Interval) []Interval {
	all := append(append([]Interval(nil), a...), b...)
	if len(all) == 0 {
		return nil
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Start < all[j].Start })
	out := []Interval{all[0]}
	for _, iv := range all[1:] {
		last := &out[len(out)-1]
		if iv.Start <= last.End {
			last.End = max(last.End, iv.End)
		} else {
			out = append(out, iv)
		}
	}
	return out
}

// subtract removes the spans of b from a.
func subtract(a, b []Interval) []Interval {
	out := a
	for _, cut := range b {
		var next []Interval
		for _, iv := range out {
			if cut.End <= iv.Start || cut.Start >= iv.End {
				next = append(next, iv)
				continue
			}
			if iv.Start < cut.Start {
				next = append(next, Interval{iv.Start, cut.Start})
			}
			if cut.End < iv.End {
				next = append(next, Interval{cut.End, iv.End})
			}
		}
		out = next
	}
	return out
}
