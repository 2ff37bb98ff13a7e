package openinghours

import "time"

// IsPublicHoliday reports whether date's calendar day (in its own
// location) is a French national public holiday: 1 January, Easter Monday,
// 1 May, 8 May, Ascension, Whit Monday, 14 July, 15 August, 1 November,
// 11 November and 25 December. The extra days of Alsace-Moselle (Good
// Friday, 26 December) and of the overseas départements (abolition of
// slavery) are not included: PH follows the national calendar everywhere.
func IsPublicHoliday(date time.Time) bool {
	y, m, d := date.Date()
	switch {
	case m == time.January && d == 1, m == time.May && (d == 1 || d == 8), m == time.July && d == 14,
		m == time.August && d == 15, m == time.November && (d == 1 || d == 11), m == time.December && d == 25:
		return true
	case m < time.March || m > time.June: // Easter Monday to Whit Monday fall in March to June
		return false
	}
	switch date.YearDay() - easterSunday(y).YearDay() {
	case 1, 39, 50: // Easter Monday, Ascension, Whit Monday
		return true
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
