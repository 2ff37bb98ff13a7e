package store

import (
	"strings"
	"time"

	"portrea/internal/openinghours"
)

// slotsPerDay is the resolution of the opening masks: quarter hours.
const slotsPerDay = 96

// The stored masks have one letter per hour of the week (7×24, Monday
// first): 'A' plus a 4-bit number whose bit q says "open at the start of
// quarter q of that hour". SQL tests a quarter with
// substr(mask, hour, 1) IN (letters with bit q set), which both engines
// run without any function of their own.
const hoursPerWeek = 7 * 24

// hoursColumns computes the stored forms of an opening_hours string: the
// mask of an ordinary week, the mask of a week of public holidays (""
// when the hours say nothing of them), and whether the hours depend on the
// calendar beyond weekdays and holidays (then they are checked one by one).
func hoursColumns(h string) (week, holiday string, dated bool) {
	if strings.TrimSpace(h) == "" {
		return "", "", false
	}
	oh, err := openinghours.Parse(h)
	if err != nil {
		return "", "", false
	}
	if oh.MentionsHolidays() {
		holiday = mask(oh.HolidayWeek())
	}
	return mask(oh.RegularWeek()), holiday, oh.CalendarDependent()
}

func mask(week [7][]openinghours.Interval) string {
	b := []byte(strings.Repeat("A", hoursPerWeek))
	for d, ivs := range week {
		for _, iv := range ivs {
			for m := iv.Start - iv.Start%15; m < iv.End; m += 15 {
				if m >= iv.Start {
					slot := d*slotsPerDay + m/15
					b[slot/4] += 1 << (slot % 4)
				}
			}
		}
	}
	return string(b)
}

// maskLetters lists, as SQL string literals, the mask letters whose bit
// for the quarter of slot is set.
func maskLetters(slot int) string {
	var out []string
	for v := 0; v < 16; v++ {
		if v&(1<<(slot%4)) != 0 {
			out = append(out, "'"+string(rune('A'+v))+"'")
		}
	}
	return strings.Join(out, ", ")
}

// weekSlot is the 0-based index of t's quarter hour in a Monday-first week.
func weekSlot(t time.Time) int {
	day := (int(t.Weekday()) + 6) % 7
	return day*slotsPerDay + (t.Hour()*60+t.Minute())/15
}
