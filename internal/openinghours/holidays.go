package openinghours

import "time"

// IsPublicHoliday reports whether date is a French national public
// holiday. The extra days of Alsace-Moselle (Good Friday, 26 December) and
// of overseas départements are not included.
func IsPublicHoliday(date time.Time) bool {
	y, m, d := date.Date()
	switch {
	case m == time.January && d == 1, m == time.May && (d == 1 || d == 8), m == time.July && d == 14,
		m == time.August && d == 15, m == time.November && (d == 1 || d == 11), m == time.December && d == 25:
		return true
	}
	easter := easterSunday(y)
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	for _, offset := range []int{1, 39, 50} { // Easter Monday, Ascension, Whit Monday
		if day.Equal(easter.AddDate(0, 0, offset)) {
			return true
		}
	}
	return false
}

// easterSunday computes Easter in the Gregorian calendar (anonymous
// Gregorian algorithm, "Meeus/Jones/Butcher").
func easterSunday(y int) time.Time {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}
