package openinghours

import (
	"slices"
	"time"
)

// Interval is an opening span within one day, in minutes since local
// midnight: 0 ≤ Start < End ≤ 1440.
type Interval struct{ Start, End int }

// Hours is a parsed opening_hours value. It is immutable and safe for
// concurrent use.
type Hours struct {
	rules []rule
}

// DayNamesFR are the French names of the days, Monday first, matching the
// indexes of Week and RegularWeek.
var DayNamesFR = [7]string{"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"}

// calendar says what a day is, for rule matching.
type calendar struct {
	weekday     int // 0 = Monday
	month, day  int
	daysInMonth int
	holiday     bool
	// regular describes an ordinary week: rules with months or dates and
	// n-th weekdays never match, since no single week is ordinary for them.
	regular bool
}

// calendarOf describes the calendar day y-m-d; the date is normalised, so
// d may be 0 for the last day of the previous month.
func calendarOf(y int, m time.Month, d int) calendar {
	date := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	y, m, d = date.Date()
	return calendar{
		weekday:     (int(date.Weekday()) + 6) % 7,
		month:       int(m),
		day:         d,
		daysInMonth: time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day(),
		holiday:     IsPublicHoliday(date),
	}
}

func (r *rule) matches(c calendar) bool {
	if r.months != nil {
		if c.regular || !slices.ContainsFunc(r.months, func(m monthRange) bool { return m.contains(c.month, c.day) }) {
			return false
		}
	}
	if r.days == nil {
		return true
	}
	if r.intersect {
		var inHoliday, onWeekday bool
		for _, d := range r.days {
			if d.holiday != "" {
				inHoliday = inHoliday || d.matches(c)
			} else {
				onWeekday = onWeekday || d.matches(c)
			}
		}
		return inHoliday && onWeekday
	}
	return slices.ContainsFunc(r.days, func(d dayItem) bool { return d.matches(c) })
}

func (m monthRange) contains(month, day int) bool {
	cur := month*100 + day
	from := m.fromMonth*100 + m.fromDay
	to := m.toMonth*100 + m.toDay
	if m.toDay == 0 {
		to += 31 // to the end of the month
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
	if c.regular {
		return false
	}
	for _, n := range d.nth {
		if n > 0 && (c.day-1)/7+1 == n || n < 0 && (c.daysInMonth-c.day)/7+1 == -n {
			return true
		}
	}
	return false
}

// apply adds (open) or removes (off, unknown) spans from cur.
func (r *rule) apply(cur, spans []Interval) []Interval {
	if r.mod == modOpen {
		return union(cur, spans)
	}
	return subtract(cur, spans)
}

// day evaluates calendar day c, whose previous day is prev. Each rule acts
// in order on the day it selects (c) and, with the part of its overnight
// spans after midnight, on the day after the one it selects (prev), so a
// later rule that selects c replaces an earlier night's spill as the
// specification says.
func (h *Hours) day(c, prev calendar) []Interval {
	var cur []Interval
	for i := range h.rules {
		r := &h.rules[i]
		if r.matches(c) {
			if r.mod != modOff && !r.additional {
				cur = nil // a normal rule replaces what was said of the day
			}
			cur = r.apply(cur, r.today)
		}
		if r.spill != nil && r.matches(prev) {
			cur = r.apply(cur, r.spill)
		}
	}
	return cur
}

// Day returns the sorted, merged opening intervals of date's calendar day
// (in date's location), including what the previous evening's overnight
// spans spill into it.
func (h *Hours) Day(date time.Time) []Interval {
	y, m, d := date.Date()
	return h.day(calendarOf(y, m, d), calendarOf(y, m, d-1))
}

// OpenAt reports whether the place is open at t, read as a wall-clock time
// in t's location. Hours marked unknown count as closed.
func (h *Hours) OpenAt(t time.Time) bool {
	m := t.Hour()*60 + t.Minute()
	for _, iv := range h.Day(t) {
		if m >= iv.Start && m < iv.End {
			return true
		}
	}
	return false
}

// NextChange returns the first time after t, at most 8 days later, when
// the place opens or closes; false when nothing changes in that window
// (always open, never open, or a longer closure).
func (h *Hours) NextChange(t time.Time) (time.Time, bool) {
	open := h.OpenAt(t)
	limit := t.AddDate(0, 0, 8)
	y, m, d := t.Date()
	for i := 0; i <= 8; i++ {
		for _, iv := range h.Day(time.Date(y, m, d+i, 12, 0, 0, 0, t.Location())) {
			for _, b := range [2]int{iv.Start, iv.End} {
				// b == 1440 gives the next midnight; on a daylight-saving
				// day, a wall-clock time that does not exist is moved by
				// time.Date to one that does.
				at := time.Date(y, m, d+i, b/60, b%60, 0, 0, t.Location())
				if at.After(limit) {
					return time.Time{}, false
				}
				if at.After(t) && h.OpenAt(at) != open {
					return at, true
				}
			}
		}
	}
	return time.Time{}, false
}

// Week returns the opening intervals of the 7 days starting at monday
// (index 0).
func (h *Hours) Week(monday time.Time) [7][]Interval {
	var w [7][]Interval
	y, m, d := monday.Date()
	prev := calendarOf(y, m, d-1)
	for i := range w {
		c := calendarOf(y, m, d+i)
		w[i] = h.day(c, prev)
		prev = c
	}
	return w
}

// WeeklyMinutes is the total opening time of the 7 days starting at monday.
func (h *Hours) WeeklyMinutes(monday time.Time) int {
	total := 0
	for _, day := range h.Week(monday) {
		for _, iv := range day {
			total += iv.End - iv.Start
		}
	}
	return total
}

// RegularWeek describes an ordinary week, Monday first: no day is a public
// or school holiday, and rules that need a month, a date or an n-th weekday
// are ignored (as are n-th weekdays within a list: "Sa[1],Su" is Sunday).
func (h *Hours) RegularWeek() [7][]Interval { return h.typicalWeek(false) }

// HolidayWeek is RegularWeek for days that are public holidays: what a
// Monday, a Tuesday… looks like when it is a public holiday (the day
// before being an ordinary one).
func (h *Hours) HolidayWeek() [7][]Interval { return h.typicalWeek(true) }

func (h *Hours) typicalWeek(holiday bool) [7][]Interval {
	var w [7][]Interval
	for i := range w {
		c := calendar{weekday: i, regular: true, holiday: holiday}
		prev := calendar{weekday: (i + 6) % 7, regular: true}
		w[i] = h.day(c, prev)
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
		if r.months != nil {
			return true
		}
		for _, d := range r.days {
			if d.nth != nil || d.holiday == "SH" {
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

// Comments returns the comments of the rules in order, each once.
func (h *Hours) Comments() []string {
	var out []string
	for _, r := range h.rules {
		if r.comment != "" && !slices.Contains(out, r.comment) {
			out = append(out, r.comment)
		}
	}
	return out
}

// union merges two interval lists into sorted, non-overlapping intervals,
// joining those that touch. The inputs are not modified.
func union(a, b []Interval) []Interval {
	all := make([]Interval, 0, len(a)+len(b))
	all = append(append(all, a...), b...)
	if len(all) == 0 {
		return nil
	}
	slices.SortFunc(all, func(x, y Interval) int { return x.Start - y.Start })
	out := all[:1]
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

// subtract removes the spans of b from the sorted intervals a.
func subtract(a, b []Interval) []Interval {
	var out []Interval
	for _, iv := range a {
		for _, cut := range b {
			if cut.End <= iv.Start || cut.Start >= iv.End {
				continue
			}
			if iv.Start < cut.Start {
				out = append(out, Interval{iv.Start, cut.Start})
			}
			iv.Start = max(iv.Start, cut.End)
			if iv.Start >= iv.End {
				break
			}
		}
		if iv.Start < iv.End {
			out = append(out, iv)
		}
	}
	return out
}
