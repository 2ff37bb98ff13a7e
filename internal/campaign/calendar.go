package campaign

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/territory"
)

// CalendarSetting is the settings key of the hub's campaign calendar:
// days of the year as MM-JJ, comma-separated.
const CalendarSetting = "campagnes.calendrier"

// DefaultCalendar is the method's rhythm: 1 March, 1 July, 1 November.
const DefaultCalendar = "03-01,07-01,11-01"

// CatchUp is how late a calendar date may be caught up after the server
// was stopped: beyond it, the next date will do.
const CatchUp = 45 * 24 * time.Hour

// ParseCalendar reads "03-01,07-01,11-01" into sorted (month, day) pairs.
func ParseCalendar(s string) ([][2]int, error) {
	var out [][2]int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		t, err := time.Parse("1-2", f)
		if err != nil {
			return nil, fmt.Errorf("« %s » n'est pas une date MM-JJ (par exemple 03-01 pour le 1er mars)", f)
		}
		out = append(out, [2]int{int(t.Month()), t.Day()})
	}
	if len(out) == 0 {
		return nil, errors.New("le calendrier ne contient aucune date")
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0]*100+out[i][1] < out[j][0]*100+out[j][1] })
	return out, nil
}

// lastDate is the most recent calendar date on or before today (Paris).
func lastDate(cal [][2]int, now time.Time) time.Time {
	today := place.Date(now.In(place.Paris))
	var best time.Time
	for _, y := range []int{today.Year() - 1, today.Year()} {
		for _, md := range cal {
			d := time.Date(y, time.Month(md[0]), md[1], 0, 0, 0, 0, time.UTC)
			if !d.After(today) && d.After(best) {
				best = d
			}
		}
	}
	return best
}

// Schedule creates the calendar campaign of the latest calendar date for
// every territory in exploitation, when that date is recent enough and
// the campaign does not exist yet: a date that passed while the server was
// stopped is caught up at start, and the unique key (territory, date)
// makes it happen once, whatever the restarts and instances. It returns
// the number of campaigns created.
func Schedule(ctx context.Context, st *store.Store, ref *territory.Reference, now time.Time) (int, error) {
	raw, err := st.Setting(ctx, CalendarSetting, DefaultCalendar)
	if err != nil {
		return 0, err
	}
	cal, err := ParseCalendar(raw)
	if err != nil {
		return 0, fmt.Errorf("campaign calendar %q: %w", raw, err)
	}
	date := lastDate(cal, now)
	if now.Sub(date) > CatchUp {
		return 0, nil
	}
	ds, err := st.Deployments(ctx)
	if err != nil {
		return 0, err
	}
	created := 0
	for _, d := range ds {
		if d.Phase != territory.PhaseExploitation {
			continue
		}
		c := &store.Campaign{EPCI: d.EPCI, Origin: store.OriginCalendar, ScheduleKey: date.Format(time.DateOnly),
			Name: "Campagne du " + FrenchDate(date) + " — " + ref.EPCIName(d.EPCI), Deadline: place.Date(date.Add(DefaultDuration))}
		_, err := Start(ctx, st, ref, c, Selection{}, now)
		switch {
		case errors.Is(err, store.ErrCampaignExists):
		case err != nil:
			return created, err
		default:
			created++
		}
	}
	return created, nil
}
