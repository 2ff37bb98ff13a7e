package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
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

// indexEntry holds the fields filters, the map and orientation need.
type indexEntry struct {
	id, sortKey, search        string
	nom, adresse, codePostal   string
	commune, codeInsee         string
	epci, departement          string
	sets                       entrySets
	rdv                        bool // online booking possible
	lat, lon                   float64
	hasCoords                  bool
	dateMaj                    time.Time
	hasHours                   bool
	week, holiday              weekMask
	mentionsHolidays, calendar bool
	hours                      *openinghours.Hours // kept only when calendar-dependent
}

// entrySets are the code sets a filter may ask for.
type entrySets struct {
	services, publics, priseEnCharge, frais, acces, accomp, dispositifs place.Set
}

// indexColumns lay the filtered fields out as arrays aligned with entries:
// a query scans a few contiguous arrays instead of chasing 100,000
// pointers. They are rebuilt after each change (writes are rare).
type indexColumns struct {
	epci      []int32 // interned codes, see codes
	dep       []int32
	insee     []int32
	lat, lon  []float64
	mx, my    []float64 // Web Mercator position in [0, 1), for clusters
	hasCoords []bool
	// dayHours[i][d] has bit h when place i opens during hour h of weekday
	// d of its ordinary week; calendar[i] marks hours that need the
	// parser instead.
	dayHours [][7]uint32
	calendar []bool
	codes    map[string]int32
	// byCode lists the entries (in name order) of each interned code, so
	// that a territory filter looks at its places only.
	byCode map[int32][]int32
	// vocab is every word of the search texts, sorted, and postings[i] the
	// entries (in name order) whose text has vocab[i]: a word prefix is a
	// range of vocab.
	vocab    []string
	postings [][]int32
	// setBits[f][b] is the bitmap of the entries whose code set f (in
	// entrySets order) has item b: a list filter is a few bitmap ORs.
	setBits [7][]bitmap
	// grid lists the entries with a position by cell of gridDeg degrees,
	// so that a map view looks at the places near it only.
	grid map[gridCell][]int32
}

// gridDeg is the size of a cell of the spatial grid, in degrees.
const gridDeg = 0.25

type gridCell struct{ lat, lon int32 }

func cellOf(lat, lon float64) gridCell {
	return gridCell{int32(math.Floor(lat / gridDeg)), int32(math.Floor(lon / gridDeg))}
}

// bitmap is a set of entry positions; iterating it gives them in order.
type bitmap []uint64

func newBitmap(n int) bitmap    { return make(bitmap, (n+63)/64) }
func (b bitmap) set(i int32)    { b[i/64] |= 1 << (i % 64) }
func (b bitmap) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b bitmap) and(o bitmap) {
	for i := range b {
		b[i] &= o[i]
	}
}

func (idx *publicIndex) rebuildColumns() {
	n := len(idx.entries)
	c := indexColumns{
		epci: make([]int32, n), dep: make([]int32, n), insee: make([]int32, n),
		lat: make([]float64, n), lon: make([]float64, n), mx: make([]float64, n), my: make([]float64, n), hasCoords: make([]bool, n),
		dayHours: make([][7]uint32, n), calendar: make([]bool, n),
		codes: map[string]int32{}, grid: map[gridCell][]int32{}, byCode: map[int32][]int32{},
	}
	code := func(s string) int32 {
		v, ok := c.codes[s]
		if !ok {
			v = int32(len(c.codes))
			c.codes[s] = v
		}
		return v
	}
	words := map[string][]int32{}
	for f := range c.setBits {
		c.setBits[f] = make([]bitmap, 64)
	}
	for i, e := range idx.entries {
		for f, set := range e.sets.fields() {
			for b := 0; set != 0; b, set = b+1, set>>1 {
				if set&1 != 0 {
					if c.setBits[f][b] == nil {
						c.setBits[f][b] = newBitmap(n)
					}
					c.setBits[f][b].set(int32(i))
				}
			}
		}
		c.epci[i], c.dep[i], c.insee[i] = code(e.epci), code(e.departement), code(e.codeInsee)
		c.calendar[i] = e.calendar
		if e.hasHours {
			for q := 0; q < 7*96; q++ {
				if e.week.has(q) {
					c.dayHours[i][q/96] |= 1 << (q % 96 / 4)
				}
			}
		}
		c.lat[i], c.lon[i], c.hasCoords[i] = e.lat, e.lon, e.hasCoords
		for _, k := range []int32{c.epci[i], c.dep[i], c.insee[i]} {
			c.byCode[k] = append(c.byCode[k], int32(i))
		}
		if e.hasCoords {
			c.mx[i], c.my[i] = mercator(e.lat, e.lon)
			cell := cellOf(e.lat, e.lon)
			c.grid[cell] = append(c.grid[cell], int32(i))
		}
		for _, w := range strings.Fields(e.search) {
			if p := words[w]; len(p) == 0 || p[len(p)-1] != int32(i) {
				words[w] = append(p, int32(i))
			}
		}
	}
	c.vocab = make([]string, 0, len(words))
	for w := range words {
		c.vocab = append(c.vocab, w)
	}
	slices.Sort(c.vocab)
	c.postings = make([][]int32, len(c.vocab))
	for i, w := range c.vocab {
		c.postings[i] = words[w]
	}
	idx.cols = c
}

// weekMask has one bit per quarter hour of a week, Monday 00:00 first.
type weekMask [(7*96 + 63) / 64]uint64

func (m *weekMask) set(slot int)      { m[slot/64] |= 1 << (slot % 64) }
func (m *weekMask) has(slot int) bool { return m[slot/64]&(1<<(slot%64)) != 0 }

// any reports whether a bit is set in [from, to).
func (m *weekMask) any(from, to int) bool {
	for s := from; s < to; s++ {
		if m.has(s) {
			return true
		}
	}
	return false
}

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

// openDuring reports whether the place opens at some time of a weekly
// slot: in its ordinary week, or for calendar-dependent hours, in the
// coming week (from `from`).
func (e *indexEntry) openDuring(s Slot, from time.Time) bool {
	if !e.hasHours {
		return false
	}
	lo, hi := s.Day*96+s.From/15, s.Day*96+(s.To+14)/15
	if !e.calendar {
		return e.week.any(lo, hi)
	}
	monday := from.AddDate(0, 0, -((int(from.Weekday()) + 6) % 7))
	m := maskOf(e.hours.Week(monday))
	return m.any(lo, hi)
}

func newEntry(p *place.Place) *indexEntry {
	e := &indexEntry{
		id: p.ID, sortKey: place.Fold(p.Nom), search: place.SearchText(p.Nom, p.Commune, p.Adresse, p.CodePostal),
		nom: p.Nom, adresse: p.Adresse, codePostal: p.CodePostal, commune: p.Commune, codeInsee: p.CodeInsee,
		epci: p.EPCI, departement: p.Departement,
		sets: entrySets{services: p.Services, publics: p.Publics, priseEnCharge: p.PriseEnCharge, frais: p.Frais,
			acces: p.ModalitesAcces, accomp: p.ModalitesAccompagnement, dispositifs: p.Dispositifs},
		rdv: p.PriseRdv != "" || p.ModalitesAcces&place.ModalitesAcces.Bit("rdv-en-ligne") != 0,
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
const indexCols = `id, nom, adresse, code_postal, commune, code_insee, epci, departement,
	services, publics, prise_en_charge, frais, modalites_acces, modalites_accompagnement, dispositifs, prise_rdv,
	latitude, longitude, date_maj, horaires, status, seq`

// Warm loads the in-memory index of public places, so that the first
// visitor does not wait for it.
func (s *Store) Warm(ctx context.Context) error { return s.syncIndex(ctx) }

// syncIndex brings the index up to date with the database.
func (s *Store) syncIndex(ctx context.Context) error {
	var v int64
	if err := s.counterStmt.QueryRowContext(ctx).Scan(&v); err != nil {
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
		var sets [7]int64
		var seq int64
		var status string
		if err := rows.Scan(&p.ID, &p.Nom, &p.Adresse, &p.CodePostal, &p.Commune, &p.CodeInsee, &p.EPCI, &p.Departement,
			&sets[0], &sets[1], &sets[2], &sets[3], &sets[4], &sets[5], &sets[6], &p.PriseRdv,
			&lat, &lon, &p.DateMaj, &p.Horaires, &status, &seq); err != nil {
			return fmt.Errorf("store: load index: %w", err)
		}
		p.Services, p.Publics, p.PriseEnCharge, p.Frais = place.Set(sets[0]), place.Set(sets[1]), place.Set(sets[2]), place.Set(sets[3])
		p.ModalitesAcces, p.ModalitesAccompagnement, p.Dispositifs = place.Set(sets[4]), place.Set(sets[5]), place.Set(sets[6])
		p.Status = place.Status(status)
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

// hit is an entry that passed a filter, with its distance in km from the
// filter's point (0 without one).
type hit struct {
	e    *indexEntry
	i    int // position in the index's entries and columns
	dist float64
}

// scan calls fn, in name order, for every public place matching f, under
// the index's read lock.
func (s *Store) scan(ctx context.Context, f PlaceFilter, fn func(h hit)) error {
	if err := s.syncIndex(ctx); err != nil {
		return err
	}
	s.idx.mu.RLock()
	defer s.idx.mu.RUnlock()
	c := &s.idx.cols
	n := len(s.idx.entries)

	// Candidates, when the filter narrows them cheaply: each search word
	// must start a word of the entry ("medi" finds "médiathèque", not
	// "intermédiaire"), and a map view looks only at the grid cells it
	// covers. Other filters are checked entry by entry below.
	var cand bitmap
	for _, w := range place.SearchWords(f.Q) {
		hits := newBitmap(n)
		lo, _ := slices.BinarySearch(c.vocab, w)
		for k := lo; k < len(c.vocab) && strings.HasPrefix(c.vocab[k], w); k++ {
			for _, i := range c.postings[k] {
				hits.set(i)
			}
		}
		if cand != nil {
			hits.and(cand)
		}
		cand = hits
	}
	if b := f.BBox; b != nil {
		lo, hi := cellOf(b.MinLat, b.MinLon), cellOf(b.MaxLat, b.MaxLon)
		// A view wider than most of the data is faster scanned in full.
		if cells := int(hi.lat-lo.lat+1) * int(hi.lon-lo.lon+1); cells < len(c.grid) {
			near := newBitmap(n)
			for la := lo.lat; la <= hi.lat; la++ {
				for lo2 := lo.lon; lo2 <= hi.lon; lo2++ {
					for _, i := range c.grid[gridCell{la, lo2}] {
						near.set(i)
					}
				}
			}
			if cand != nil {
				near.and(cand)
			}
			cand = near
		}
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
	epci, dep := code(f.EPCI), code(f.Departement)
	if epci == -2 || dep == -2 {
		return nil
	}
	var communes []int32
	for _, cm := range f.Communes {
		if v := code(cm); v >= 0 {
			communes = append(communes, v)
		}
	}
	if len(f.Communes) > 0 && len(communes) == 0 {
		return nil
	}
	// The smallest territory asked narrows the candidates too.
	var terr []int32
	switch {
	case communes != nil:
		terr = communes
	case epci >= 0:
		terr = []int32{epci}
	case dep >= 0:
		terr = []int32{dep}
	}
	if terr != nil {
		in := newBitmap(n)
		for _, k := range terr {
			for _, i := range c.byCode[k] {
				in.set(i)
			}
		}
		if cand != nil {
			in.and(cand)
		}
		cand = in
	}
	holiday := false
	if !f.OpenAt.IsZero() {
		f.OpenAt = f.OpenAt.In(place.Paris)
		holiday = openinghours.IsPublicHoliday(f.OpenAt)
	}
	now := s.now().In(place.Paris)
	// A list filter keeps the places having any of its values: the OR of
	// the values' bitmaps, ANDed with the candidates.
	want := entrySets{f.Services, f.Publics, f.PriseEnCharge, f.Frais, f.Acces, f.Accomp, f.Dispositifs}
	for k, set := range want.fields() {
		if set == 0 {
			continue
		}
		any := newBitmap(n)
		for b := 0; set != 0; b, set = b+1, set>>1 {
			if bm := c.setBits[k][b]; set&1 != 0 && bm != nil {
				for w := range any {
					any[w] |= bm[w]
				}
			}
		}
		if cand != nil {
			any.and(cand)
		}
		cand = any
	}
	slots := hourMasks(f.Slots)
	b := f.BBox
	needCoords := f.WithCoords || b != nil || f.Near != nil
	for i := 0; i < n; i++ {
		if cand != nil {
			// Jump over empty words of the candidate bitmap.
			if cand[i/64] == 0 {
				i |= 63
				continue
			}
			if !cand.has(i) {
				continue
			}
		}
		if epci >= 0 && c.epci[i] != epci || dep >= 0 && c.dep[i] != dep ||
			communes != nil && !slices.Contains(communes, c.insee[i]) ||
			needCoords && !c.hasCoords[i] ||
			b != nil && (c.lat[i] < b.MinLat || c.lat[i] > b.MaxLat || c.lon[i] < b.MinLon || c.lon[i] > b.MaxLon) {
			continue
		}
		h := hit{e: s.idx.entries[i], i: i}
		if f.Near != nil {
			h.dist = DistanceKm(f.Near.Lat, f.Near.Lon, c.lat[i], c.lon[i])
			if f.MaxKm > 0 && h.dist > f.MaxKm {
				continue
			}
		}
		if f.Rdv && !h.e.rdv || !f.OpenAt.IsZero() && !h.e.openAt(f.OpenAt, holiday) {
			continue
		}
		if slots != nil && !c.openInSlots(i, h.e, f.Slots, slots, now) {
			continue
		}
		fn(h)
	}
	return nil
}

// fields lists the sets in a fixed order.
func (s *entrySets) fields() [7]place.Set {
	return [7]place.Set{s.services, s.publics, s.priseEnCharge, s.frais, s.acces, s.accomp, s.dispositifs}
}

// hourMasks gives, for each slot, the hours it covers when it is made of
// whole hours, or 0 when it needs quarter-hour precision.
func hourMasks(slots []Slot) []uint32 {
	if len(slots) == 0 {
		return nil
	}
	out := make([]uint32, len(slots))
	for k, s := range slots {
		if s.From%60 == 0 && s.To%60 == 0 && s.To > s.From {
			out[k] = uint32(1)<<(s.To/60) - uint32(1)<<(s.From/60)
		}
	}
	return out
}

// openInSlots reports whether place i opens during one of the slots: from
// its hour masks, or through its parsed hours when they depend on the
// calendar or a slot does not fall on whole hours.
func (c *indexColumns) openInSlots(i int, e *indexEntry, slots []Slot, masks []uint32, now time.Time) bool {
	for k, s := range slots {
		if c.calendar[i] || masks[k] == 0 {
			if e.openDuring(s, now) {
				return true
			}
		} else if c.dayHours[i][s.Day]&masks[k] != 0 {
			return true
		}
	}
	return false
}

// search returns the total number of public places matching f and the
// hits of the asked page, in name order, or by distance when f asks.
func (s *Store) search(ctx context.Context, f PlaceFilter) (int, []hit, error) {
	total := 0
	var page, all []hit
	err := s.scan(ctx, f, func(h hit) {
		if f.ByDistance {
			all = append(all, h)
			return
		}
		if total >= f.Offset && len(page) < f.Limit {
			page = append(page, h)
		}
		total++
	})
	if err != nil || !f.ByDistance {
		return total, page, err
	}
	slices.SortStableFunc(all, func(a, b hit) int { return cmpFloat(a.dist, b.dist) })
	lo := min(f.Offset, len(all))
	return len(all), all[lo:min(lo+max(f.Limit, 0), len(all))], nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// DistanceKm is the great-circle distance between two points.
func DistanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0
	dLat := (lat2 - lat1) * math.Pi / 180
	dLon := (lon2 - lon1) * math.Pi / 180
	a := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*math.Pi/180)*math.Cos(lat2*math.Pi/180)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Sqrt(min(1, a)))
}
