package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"portrea/internal/openinghours"
	"portrea/internal/place"
)

// publicIndex is an in-memory copy of what filtering the public places
// needs, kept sorted by name. The map and the directory filter a whole
// country's worth of places in a few milliseconds this way, on both
// engines, where SQL would sort or count tens of thousands of rows.
//
// The database stays the source of truth. Every write to places bumps the
// "places" counter in the same transaction and stamps the rows it touches
// with the new value (seq); before answering, the index reads the counter
// and loads the rows stamped since its last look. The counter row is locked
// by each writing transaction until it commits, so stamps become visible in
// order: several instances on one PostgreSQL see each other's writes.
type publicIndex struct {
	mu      sync.RWMutex
	loaded  bool
	version int64
	entries []*indexEntry // public places, sorted by (sortKey, id)
	byID    map[string]*indexEntry
	cols    indexColumns
}

// indexColumns lay the filtered fields out as arrays aligned with entries:
// a query scans a few contiguous arrays instead of chasing 100,000
// pointers. They are rebuilt after each change (writes are rare).
type indexColumns struct {
	services  []place.Set
	epci      []int32 // interned codes, see codes
	dep       []int32
	insee     []int32
	lat, lon  []float64
	hasCoords []bool
	codes     map[string]int32
	// text holds every entry's search text, one after the other; textEnd[i]
	// is where entry i's text ends, so a match offset finds its entry by
	// binary search.
	text    []byte
	textEnd []int
}

func (idx *publicIndex) rebuildColumns() {
	n := len(idx.entries)
	c := indexColumns{
		services: make([]place.Set, n), epci: make([]int32, n), dep: make([]int32, n), insee: make([]int32, n),
		lat: make([]float64, n), lon: make([]float64, n), hasCoords: make([]bool, n),
		codes: map[string]int32{}, textEnd: make([]int, n),
	}
	code := func(s string) int32 {
		v, ok := c.codes[s]
		if !ok {
			v = int32(len(c.codes))
			c.codes[s] = v
		}
		return v
	}
	size := 0
	for _, e := range idx.entries {
		size += len(e.search)
	}
	c.text = make([]byte, 0, size)
	for i, e := range idx.entries {
		c.services[i], c.epci[i], c.dep[i], c.insee[i] = e.services, code(e.epci), code(e.departement), code(e.codeInsee)
		c.lat[i], c.lon[i], c.hasCoords[i] = e.lat, e.lon, e.hasCoords
		c.text = append(c.text, e.search...)
		c.textEnd[i] = len(c.text)
	}
	idx.cols = c
}

// indexEntry holds the fields filters and map points need.
type indexEntry struct {
	id, sortKey, search        string
	nom, adresse, codePostal   string
	commune, codeInsee         string
	epci, departement          string
	services                   place.Set
	lat, lon                   float64
	hasCoords                  bool
	dateMaj                    time.Time
	hasHours                   bool
	week, holiday              weekMask
	mentionsHolidays, calendar bool
	hours                      *openinghours.Hours // kept only when calendar-dependent
}

// weekMask has one bit per quarter hour of a week, Monday 00:00 first.
type weekMask [(7*96 + 63) / 64]uint64

func (m *weekMask) set(slot int)      { m[slot/64] |= 1 << (slot % 64) }
func (m *weekMask) has(slot int) bool { return m[slot/64]&(1<<(slot%64)) != 0 }

func maskOf(week [7][]openinghours.Interval) weekMask {
	var m weekMask
	for d, ivs := range week {
		for _, iv := range ivs {
			for q := (iv.Start + 14) / 15; q*15 < iv.End; q++ {
				m.set(d*96 + q)
			}
		}
	}
	return m
}

// weekSlot is the quarter hour of t in a Monday-first week.
func weekSlot(t time.Time) int {
	return ((int(t.Weekday())+6)%7)*96 + (t.Hour()*60+t.Minute())/15
}

// openAt answers from the masks, exactly at quarter-hour resolution, and
// asks the parser only for hours that depend on the calendar.
func (e *indexEntry) openAt(t time.Time, holiday bool) bool {
	switch {
	case !e.hasHours:
		return false
	case e.calendar:
		return e.hours.OpenAt(t)
	case holiday && e.mentionsHolidays:
		return e.holiday.has(weekSlot(t))
	}
	return e.week.has(weekSlot(t))
}

func newEntry(p *place.Place) *indexEntry {
	e := &indexEntry{
		id: p.ID, sortKey: place.Fold(p.Nom), search: place.SearchText(p.Nom, p.Commune, p.Adresse, p.CodePostal),
		nom: p.Nom, adresse: p.Adresse, codePostal: p.CodePostal, commune: p.Commune, codeInsee: p.CodeInsee,
		epci: p.EPCI, departement: p.Departement, services: p.Services,
		lat: p.Latitude, lon: p.Longitude, hasCoords: p.HasCoords, dateMaj: p.DateMaj,
	}
	if oh, err := openinghours.Parse(p.Horaires); err == nil {
		e.hasHours = true
		e.week = maskOf(oh.RegularWeek())
		e.mentionsHolidays = oh.MentionsHolidays()
		if e.mentionsHolidays {
			e.holiday = maskOf(oh.HolidayWeek())
		}
		if e.calendar = oh.CalendarDependent(); e.calendar {
			e.hours = oh
		}
	}
	return e
}

func (e *indexEntry) less(o *indexEntry) int {
	if c := strings.Compare(e.sortKey, o.sortKey); c != 0 {
		return c
	}
	return strings.Compare(e.id, o.id)
}

// indexCols are the place columns the index reads.
const indexCols = `id, nom, adresse, code_postal, commune, code_insee, epci, departement, services,
	latitude, longitude, date_maj, horaires, status, seq`

// Warm loads the in-memory index of public places, so that the first
// visitor does not wait for it.
func (s *Store) Warm(ctx context.Context) error { return s.syncIndex(ctx) }

// syncIndex brings the index up to date with the database.
func (s *Store) syncIndex(ctx context.Context) error {
	var v int64
	if err := s.r.QueryRowContext(ctx, `SELECT value FROM counters WHERE name = 'places'`).Scan(&v); err != nil {
		return fmt.Errorf("store: places counter: %w", err)
	}
	idx := &s.idx
	idx.mu.RLock()
	fresh := idx.loaded && idx.version >= v
	idx.mu.RUnlock()
	if fresh {
		return nil
	}
	idx.mu.Lock()
	defer idx.mu.Unlock()
	if idx.loaded && idx.version >= v {
		return nil // another request loaded it meanwhile
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+indexCols+` FROM places WHERE seq > $1`, idx.version)
	if err != nil {
		return fmt.Errorf("store: load index: %w", err)
	}
	defer rows.Close()
	var changed []*indexEntry
	var gone []string
	maxSeq := v
	for rows.Next() {
		var p place.Place
		var lat, lon sql.NullFloat64
		var services, seq int64
		var status string
		if err := rows.Scan(&p.ID, &p.Nom, &p.Adresse, &p.CodePostal, &p.Commune, &p.CodeInsee, &p.EPCI, &p.Departement,
			&services, &lat, &lon, &p.DateMaj, &p.Horaires, &status, &seq); err != nil {
			return fmt.Errorf("store: load index: %w", err)
		}
		p.Services, p.Status = place.Set(services), place.Status(status)
		p.Latitude, p.Longitude, p.HasCoords = lat.Float64, lon.Float64, lat.Valid && lon.Valid
		p.DateMaj = time.Date(p.DateMaj.Year(), p.DateMaj.Month(), p.DateMaj.Day(), 0, 0, 0, 0, time.UTC)
		maxSeq = max(maxSeq, seq)
		if p.Public() {
			changed = append(changed, newEntry(&p))
		} else {
			gone = append(gone, p.ID)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: load index: %w", err)
	}
	if len(changed) > 0 || len(gone) > 0 || !idx.loaded {
		idx.apply(changed, gone)
		idx.rebuildColumns()
	}
	idx.version, idx.loaded = maxSeq, true
	return nil
}

// apply replaces, adds and removes entries, keeping the order.
func (idx *publicIndex) apply(changed []*indexEntry, gone []string) {
	if idx.byID == nil {
		idx.byID = map[string]*indexEntry{}
	}
	drop := map[string]bool{}
	for _, id := range gone {
		drop[id] = true
	}
	for _, e := range changed {
		drop[e.id] = true // the old version of a changed place goes too
	}
	if len(drop) > 0 && len(idx.entries) > 0 {
		kept := idx.entries[:0]
		for _, e := range idx.entries {
			if drop[e.id] {
				delete(idx.byID, e.id)
			} else {
				kept = append(kept, e)
			}
		}
		clear(idx.entries[len(kept):])
		idx.entries = kept
	}
	if len(changed) == 0 {
		return
	}
	slices.SortFunc(changed, (*indexEntry).less)
	merged := make([]*indexEntry, 0, len(idx.entries)+len(changed))
	i, j := 0, 0
	for i < len(idx.entries) || j < len(changed) {
		if j == len(changed) || i < len(idx.entries) && idx.entries[i].less(changed[j]) < 0 {
			merged = append(merged, idx.entries[i])
			i++
		} else {
			merged = append(merged, changed[j])
			idx.byID[changed[j].id] = changed[j]
			j++
		}
	}
	idx.entries = merged
}

// search returns the total number of public places matching f and the
// entries of the asked page, in name order.
func (s *Store) search(ctx context.Context, f PlaceFilter) (int, []*indexEntry, error) {
	if err := s.syncIndex(ctx); err != nil {
		return 0, nil, err
	}
	s.idx.mu.RLock()
	defer s.idx.mu.RUnlock()
	c := &s.idx.cols
	n := len(s.idx.entries)

	// Text: each word must start a word of the entry ("medi" finds
	// "médiathèque", not "intermédiaire"). One pass over the text per word.
	var cand []bool
	for _, w := range place.SearchWords(f.Q) {
		hit := make([]bool, n)
		needle := []byte(" " + w)
		for off := 0; ; {
			j := bytes.Index(c.text[off:], needle)
			if j < 0 {
				break
			}
			i, _ := slices.BinarySearch(c.textEnd, off+j+1)
			hit[i] = true
			off = c.textEnd[i] // next entry
		}
		if cand != nil {
			for i := range hit {
				hit[i] = hit[i] && cand[i]
			}
		}
		cand = hit
	}
	code := func(s string) int32 {
		if s == "" {
			return -1
		}
		if v, ok := c.codes[s]; ok {
			return v
		}
		return -2 // a code no place has: nothing matches
	}
	epci, dep, insee := code(f.EPCI), code(f.Departement), code(f.Commune)
	if epci == -2 || dep == -2 || insee == -2 {
		return 0, nil, nil
	}
	holiday := false
	if !f.OpenAt.IsZero() {
		f.OpenAt = f.OpenAt.In(place.Paris)
		holiday = openinghours.IsPublicHoliday(f.OpenAt)
	}
	b := f.BBox
	total := 0
	var page []*indexEntry
	for i := 0; i < n; i++ {
		if cand != nil && !cand[i] ||
			f.Services != 0 && c.services[i]&f.Services == 0 ||
			epci >= 0 && c.epci[i] != epci || dep >= 0 && c.dep[i] != dep || insee >= 0 && c.insee[i] != insee ||
			(f.WithCoords || b != nil) && !c.hasCoords[i] ||
			b != nil && (c.lat[i] < b.MinLat || c.lat[i] > b.MaxLat || c.lon[i] < b.MinLon || c.lon[i] > b.MaxLon) ||
			!f.OpenAt.IsZero() && !s.idx.entries[i].openAt(f.OpenAt, holiday) {
			continue
		}
		if total >= f.Offset && len(page) < f.Limit {
			page = append(page, s.idx.entries[i])
		}
		total++
	}
	return total, page, nil
}
