package openinghours

import (
	"testing"
	"time"
)

func TestPublicHolidays(t *testing.T) {
	holidays := []string{
		"2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25", "2026-07-14",
		"2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25",
		"2027-01-01", "2027-03-29", "2027-05-01", "2027-05-06", "2027-05-08", "2027-05-17", "2027-07-14",
		"2027-08-15", "2027-11-01", "2027-11-11", "2027-12-25",
	}
	count := map[int]int{}
	for d := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2028; d = d.AddDate(0, 0, 1) {
		if IsPublicHoliday(d) {
			count[d.Year()]++
		}
	}
	if count[2026] != 11 || count[2027] != 11 {
		t.Errorf("public holidays per year = %v, want 11 each", count)
	}
	for _, s := range holidays {
		d, _ := time.Parse(time.DateOnly, s)
		if !IsPublicHoliday(d) {
			t.Errorf("%s is a public holiday", s)
		}
	}
	for _, s := range []string{"2026-04-05", "2026-04-03", "2026-12-26", "2026-11-12", "2027-03-28", "2027-03-26", "2027-05-16"} {
		d, _ := time.Parse(time.DateOnly, s)
		if IsPublicHoliday(d) {
			t.Errorf("%s is not a public holiday (Easter Sunday, Good Friday, 26 December, Whit Sunday are not)", s)
		}
	}
	// The calendar day is read in the time's own location: 00:30 on 14 July
	// in Paris is still 13 July in UTC.
	if IsPublicHoliday(time.Date(2026, 7, 13, 23, 30, 0, 0, paris)) {
		t.Error("13 July in Paris is not a public holiday")
	}
	if !IsPublicHoliday(time.Date(2026, 7, 13, 22, 30, 0, 0, time.UTC).In(paris)) {
		t.Error("14 July 00:30 in Paris is a public holiday")
	}
}
