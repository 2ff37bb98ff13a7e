package census

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"portrea/internal/geocode"
	"portrea/internal/place"
	"portrea/internal/territory"
)

// Action is what the import will do with one row.
type Action string

const (
	ActionCreate    Action = "creation"    // a new place
	ActionUpdate    Action = "mise-a-jour" // changes an existing place
	ActionSame      Action = "inchange"    // an existing place, nothing new
	ActionDuplicate Action = "doublon"     // probably a place already known: not imported
	ActionError     Action = "erreur"      // cannot be imported: see Messages
	ActionSkip      Action = "ignoree"     // the example row, or outside the territory when pre-filling
)

// ActionLabels are the French names of the actions, for the preview.
var ActionLabels = map[Action]string{
	ActionCreate:    "Sera créé",
	ActionUpdate:    "Mettra à jour",
	ActionSame:      "Déjà à jour",
	ActionDuplicate: "Doublon probable",
	ActionError:     "Erreur",
	ActionSkip:      "Ignorée",
}

// Actions lists the actions in the order the preview shows them.
var Actions = []Action{ActionCreate, ActionUpdate, ActionSame, ActionDuplicate, ActionError, ActionSkip}

// RowPlan is the preview of one row.
type RowPlan struct {
	Index  int // position in the file's rows
	Line   int // line (CSV), row (XLSX) or object number (JSON) in the file
	Action Action
	Name   string // the place's name as read
	// TargetID and TargetName name the existing place an update, an
	// unchanged row or a duplicate refers to.
	TargetID, TargetName string
	// TargetLine is the earlier row of the same file a duplicate repeats.
	TargetLine int
	Score      int      // duplicate score, 0–100
	Messages   []string // why the row is in error or a duplicate (French)
	Notes      []string // what was converted or left aside (French)
	Changes    []place.Change
	Place      *place.Place // what a creation or update will write
}

// Plan is the preview of a whole import.
type Plan struct {
	File     *File
	Detected Detected
	Mapping  []string
	Rows     []RowPlan
	Counts   map[Action]int
	// Geocoding.
	Geocoded, NotGeocoded int
	GeocoderDown          bool
}

// Geocoder finds positions for many addresses (geocode.Client.Batch).
type Geocoder interface {
	Batch(ctx context.Context, qs []geocode.BatchQuery, progress func(done int)) ([]geocode.BatchResult, error)
}

// Options tell Preview what the import is for.
type Options struct {
	// EPCI is the territory the file is for: a row in a commune outside it
	// is an error (or skipped when pre-filling). "" lets each row's commune
	// decide (operators importing for several territories).
	EPCI string
	// Prefill is the open-data pre-fill: rows outside the territory are
	// skipped, and a place already known only gets its empty fields filled.
	Prefill bool
	// Mapping replaces the detected column mapping (the person confirmed it).
	Mapping []string
	Ref     *territory.Reference
	Extra   []place.ExtraField
	// Existing returns the places of a territory, every status, with their
	// private fields and complementary values, for matching.
	Existing func(ctx context.Context, epci string) ([]*place.Place, error)
	// Lookup returns the place with that id wherever it is stored, or nil.
	Lookup   func(ctx context.Context, id string) (*place.Place, error)
	Geocoder Geocoder // nil: no geocoding
	Now      time.Time
	// Progress reports the stage ("lecture", "geocodage", "rapprochement")
	// and how far it is.
	Progress func(stage string, done, total int)
}

// Stages of a preview, for progress reports.
const (
	StageRead     = "lecture"
	StageGeocode  = "geocodage"
	StageMatch    = "rapprochement"
	StageWrite    = "enregistrement"
	progressEvery = 500
)

// Preview reads every row of a file and says what importing it would do,
// without writing anything.
func Preview(ctx context.Context, f *File, o Options) (*Plan, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	progress := o.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	pl := &Plan{File: f, Detected: Detect(f.Header, o.Extra), Counts: map[Action]int{}}
	pl.Mapping = pl.Detected.Mapping
	if o.Mapping != nil {
		if len(o.Mapping) != len(f.Header) {
			return nil, fmt.Errorf("census: mapping has %d columns for %d", len(o.Mapping), len(f.Header))
		}
		pl.Mapping = o.Mapping
	}
	if !slices.Contains(pl.Mapping, "nom") {
		return nil, fileErrorf("aucune colonne n'est associée au nom du lieu : indiquez quelle colonne le contient.")
	}
	conv := newConverter(f, pl.Mapping, o.Ref, o.Extra, o.Now)
	recs := make([]*record, f.Len())
	pl.Rows = make([]RowPlan, f.Len())
	for i := range f.Len() {
		if i%progressEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			progress(StageRead, i, f.Len())
		}
		cells := f.Row(i)
		rp := &pl.Rows[i]
		rp.Index, rp.Line = i, f.Lines[i]
		if id := strings.TrimSpace(cellOf(cells, pl.Mapping, "id")); strings.EqualFold(id, ExampleID) {
			rp.Action, rp.Notes = ActionSkip, []string{"ligne d'exemple du modèle"}
			continue
		}
		r := conv.read(cells)
		recs[i] = r
		rp.Name = r.p.Nom
		if o.Prefill && outside(r.p, o) {
			// Skipped before geocoding: a national file is mostly
			// other territories' places.
			rp.Action = ActionSkip
			rp.Notes = []string{fmt.Sprintf("hors du territoire (%s)", communeLabel(r.p))}
		}
	}
	progress(StageRead, f.Len(), f.Len())
	if o.Geocoder != nil {
		if err := geocodeRows(ctx, pl, recs, o, progress); err != nil {
			return nil, err
		}
	}
	for i, r := range recs {
		if r == nil || pl.Rows[i].Action == ActionSkip {
			continue
		}
		if r.p.EPCI != "" && o.EPCI != "" && r.p.EPCI != o.EPCI {
			if o.Prefill {
				pl.Rows[i].Action = ActionSkip
				r.notes = []string{fmt.Sprintf("hors du territoire (%s)", communeLabel(r.p))}
			} else {
				r.errorf("Commune : %s n'appartient pas au territoire %s", communeLabel(r.p), epciName(o.Ref, o.EPCI))
			}
		}
		pl.Rows[i].Notes = r.notes
	}
	m := newMatcher(o)
	for i, r := range recs {
		rp := &pl.Rows[i]
		if i%progressEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			progress(StageMatch, i, len(recs))
		}
		if r == nil || rp.Action == ActionSkip {
			pl.Counts[rp.Action]++
			continue
		}
		if r.p.CodeInsee == "" && r.p.Commune != "" {
			r.errorf("Commune : « %s » introuvable avec le code postal « %s » (commune fusionnée ou nom mal orthographié ?) ; indiquez le code INSEE", r.p.Commune, r.p.CodePostal)
		}
		if err := r.p.Validate(o.Ref, o.Now); err != nil {
			var fe place.Errors
			if errors.As(err, &fe) {
				for _, e := range fe {
					r.errorf("%s : %s", place.FieldLabel(e.Field), e.Message)
				}
			} else {
				r.errorf("%s", err)
			}
		}
		if len(r.errs) > 0 {
			rp.Action, rp.Messages = ActionError, dedupe(r.errs)
			pl.Counts[rp.Action]++
			continue
		}
		if err := m.match(ctx, rp, r); err != nil {
			return nil, err
		}
		pl.Counts[rp.Action]++
	}
	progress(StageMatch, len(recs), len(recs))
	return pl, nil
}

func dedupe(s []string) []string {
	out := s[:0]
	seen := map[string]bool{}
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func cellOf(cells, mapping []string, key string) string {
	for i, k := range mapping {
		if k == key && i < len(cells) {
			return cells[i]
		}
	}
	return ""
}

func communeLabel(p *place.Place) string {
	if p.CodeInsee == "" {
		return p.Commune
	}
	return p.Commune + " (" + p.CodeInsee + ")"
}

func epciName(ref *territory.Reference, code string) string {
	if e, ok := ref.EPCI(code); ok {
		return e.Nom
	}
	return code
}

// outside reports a row whose commune is known and outside the territory
// pre-filled, or whose postcode belongs to no commune of it.
func outside(p *place.Place, o Options) bool {
	if p.EPCI != "" {
		return p.EPCI != o.EPCI
	}
	for _, c := range o.Ref.CommunesByPostcode(p.CodePostal) {
		if c.EPCI == o.EPCI {
			return false
		}
	}
	return true
}

// MinGeocodeScore is the geocoder's score under which an answer is not
// trusted enough to place a pin without a person looking at it.
const MinGeocodeScore = 0.5

// geocodeRows finds positions for the valid rows that have an address but
// no coordinates, in one batch, and keeps an answer only when it falls in
// the row's commune.
func geocodeRows(ctx context.Context, pl *Plan, recs []*record, o Options, progress func(string, int, int)) error {
	var qs []geocode.BatchQuery
	var idx []int
	for i, r := range recs {
		if r == nil || pl.Rows[i].Action == ActionSkip || len(r.errs) > 0 || r.p.Adresse == "" {
			continue
		}
		if o.EPCI != "" && r.p.EPCI != "" && r.p.EPCI != o.EPCI {
			continue // refused anyway: outside the territory
		}
		if r.p.HasCoords && r.p.CodeInsee != "" {
			continue
		}
		if r.p.CodeInsee == "" && len(r.p.CodePostal) != 5 {
			continue // nothing to tell homonym streets apart
		}
		qs = append(qs, geocode.BatchQuery{ID: fmt.Sprint(i), Address: r.p.Adresse, Postcode: r.p.CodePostal, CityCode: r.p.CodeInsee})
		idx = append(idx, i)
	}
	if len(qs) == 0 {
		return nil
	}
	progress(StageGeocode, 0, len(qs))
	res, err := o.Geocoder.Batch(ctx, qs, func(done int) { progress(StageGeocode, done, len(qs)) })
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// The import goes on without positions: a person can place the
		// pins later, and the file need not be sent again.
		pl.GeocoderDown = true
		for _, i := range idx {
			recs[i].notef("Position : le service de géocodage ne répond pas, lieu importé sans position")
		}
		pl.NotGeocoded = len(idx)
		return nil
	}
	for k, br := range res {
		r := recs[idx[k]]
		if r.p.CodeInsee == "" {
			// The commune was not recognised by name: the geocoder's
			// answer within the postcode tells which one it is.
			c, ok := o.Ref.Commune(br.CityCode)
			if !br.Found || br.Score < MinGeocodeScore || !ok {
				pl.NotGeocoded++
				continue
			}
			r.notef("Commune : « %s » reconnue comme %s (%s) d'après l'adresse", r.p.Commune, c.Nom, c.Code)
			r.p.Commune, r.p.CodeInsee = c.Nom, c.Code
			r.p.Derive(o.Ref)
			r.provided["code_insee"] = true
			if r.p.HasCoords {
				continue
			}
		}
		switch {
		case !br.Found || br.Score < MinGeocodeScore:
			r.notef("Position : adresse « %s, %s %s » non trouvée par le géocodeur ; placez le lieu sur la carte", r.p.Adresse, r.p.CodePostal, r.p.Commune)
			pl.NotGeocoded++
		case br.CityCode != r.p.CodeInsee:
			r.notef("Position : le géocodeur situe « %s » à %s (%s), pas à %s : position non reprise", r.p.Adresse, br.City, br.CityCode, communeLabel(r.p))
			pl.NotGeocoded++
		default:
			r.p.Latitude, r.p.Longitude, r.p.HasCoords = br.Lat, br.Lon, true
			r.provided["latitude"], r.provided["longitude"] = true, true
			pl.Geocoded++
		}
	}
	return nil
}

// Writes returns what committing the plan writes: new places and new
// versions of existing ones.
func (pl *Plan) Writes() (creates, updates []*place.Place) {
	for i := range pl.Rows {
		switch pl.Rows[i].Action {
		case ActionCreate:
			creates = append(creates, pl.Rows[i].Place)
		case ActionUpdate:
			updates = append(updates, pl.Rows[i].Place)
		}
	}
	return creates, updates
}

// Summary says in one French sentence what the import will do or did.
func (pl *Plan) Summary() string {
	var parts []string
	for _, a := range Actions {
		if n := pl.Counts[a]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s : %d", ActionLabels[a], n))
		}
	}
	return fmt.Sprintf("%d lignes lues — %s", len(pl.Rows), strings.Join(parts, ", "))
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
