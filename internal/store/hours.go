package store

import (
	"strings"
	"time"

	"portrea/internal/openinghours"
)

// slotsPerDay is the resolution of the stored opening masks: quarter hours.
const slotsPerDay = 96

// hoursColumns computes the stored forms of an opening_hours string: a
// 7×96 quarter-hour mask of an ordinary week (Monday first, '1' = open
// during the whole quarter hour's start), the same for a week of public
// holidays ("" when the hours say nothing of them), and whether the hours
// depend on the calendar beyond weekdays and holidays.
func hoursColumns(h string) (week, holiday string, dated bool) {
	if strings.TrimSpace(h) == "" {
		return "", "", false
	}
	oh, err := openinghours.Parse(h)
	if err != nil {
		return "", "", false
	}
	return mask(oh.RegularWeek()), "", oh.DateDependent()
}

func mask(week [7][]openinghours.Interval) string {
	b := []byte(strings.Repeat("0", 7*slotsPerDay))
	for d, ivs := range week {
		for _, iv := range ivs {
			for m := iv.Start - iv.Start%15; m < iv.End; m += 15 {
				if m >= iv.Start {
					b[d*slotsPerDay+m/15] = '1'
				}
			}
		}
	}
	return string(b)
}

// weekSlot is the 0-based index of t's quarter hour in a Monday-first week.
func weekSlot(t time.Time) int {
	day := (int(t.Weekday()) + 6) % 7
	return day*slotsPerDay + (t.Hour()*60+t.Minute())/15
}
