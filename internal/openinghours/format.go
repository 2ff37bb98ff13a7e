package openinghours

import (
	"fmt"
	"strconv"
	"strings"
)

// String writes the hours back in canonical OSM form: single spaces,
// "; " and ", " between rules, two-digit days, "off" for "closed". Parse
// reads it back with the same meaning.
func (h *Hours) String() string {
	var b strings.Builder
	for i := range h.rules {
		r := &h.rules[i]
		if i > 0 {
			if r.additional {
				b.WriteString(", ")
			} else {
				b.WriteString("; ")
			}
		}
		r.write(&b)
	}
	return b.String()
}

func (r *rule) write(b *strings.Builder) {
	var parts []string
	if r.all {
		parts = append(parts, "24/7")
	}
	if r.months != nil {
		ms := make([]string, len(r.months))
		for i, m := range r.months {
			ms[i] = m.String()
		}
		parts = append(parts, strings.Join(ms, ","))
	}
	if r.days != nil {
		var ds strings.Builder
		for i, d := range r.days {
			switch {
			case i == 0:
			case r.intersect && d.holiday == "" && r.days[i-1].holiday != "":
				ds.WriteByte(' ') // "SH Mo-Fr": the holidays come first
			default:
				ds.WriteByte(',')
			}
			ds.WriteString(d.String())
		}
		parts = append(parts, ds.String())
	}
	if r.spans != nil && !r.all {
		ts := make([]string, len(r.spans))
		for i, s := range r.spans {
			end := s.End
			if end > 1440 {
				end -= 1440 // overnight, written as the next day's time
			}
			ts[i] = clockString(s.Start) + "-" + clockString(end)
		}
		parts = append(parts, strings.Join(ts, ","))
	}
	if r.explicit {
		parts = append(parts, modifierNames[r.mod])
	}
	if r.comment != "" {
		parts = append(parts, `"`+r.comment+`"`)
	}
	b.WriteString(strings.Join(parts, " "))
}

func clockString(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

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
		ns := make([]string, len(d.nth))
		for i, n := range d.nth {
			ns[i] = strconv.Itoa(n)
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
