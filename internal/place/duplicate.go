package place

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// DuplicateThreshold is the score above which two places are taken for the
// same one: the national pipeline's cut-off across sources (mednum-cli #315).
const DuplicateThreshold = 83

// Ratio is the similarity of two texts from 0 to 100, as fuzzywuzzy's and
// fuzzball's fuzz.ratio: 100·(la+lb−d)/(la+lb), d the Levenshtein distance
// with substitutions costing 2. Texts are compared folded (case, accents),
// punctuation as spaces, so that only wording differences count. An empty
// text matches nothing, as in those libraries.
func Ratio(a, b string) int {
	ra := []rune(strings.Join(SearchWords(a), " "))
	rb := []rune(strings.Join(SearchWords(b), " "))
	if len(ra) == 0 || len(rb) == 0 {
		return 0
	}
	// With substitutions at cost 2, d = la+lb−2·LCS, so the ratio is
	// 2·LCS/(la+lb): one row of the LCS table is enough.
	row := make([]int, len(rb)+1)
	for _, ca := range ra {
		diag := 0 // row[j-1] of the previous line
		for j, cb := range rb {
			up := row[j+1]
			if ca == cb {
				row[j+1] = diag + 1
			} else {
				row[j+1] = max(up, row[j])
			}
			diag = up
		}
	}
	// math.Round rounds halves up, as fuzzball's Math.round does.
	return int(math.Round(100 * float64(2*row[len(rb)]) / float64(len(ra)+len(rb))))
}

// DuplicateScore rates how likely a and b are the same place, from 0 to
// 100, the way the national pipeline does: the mean of the name ratio, the
// address ratio and a distance score. ok is false when the pair cannot be
// compared: the same record, different communes, or no location to compare.
// A shared SIRET or RNA settles it: 100, even across communes.
func DuplicateScore(a, b *Place) (score int, ok bool) {
	if a.ID != "" && a.ID == b.ID {
		return 0, false
	}
	if pivot := NormalizePivot(a.Pivot); pivot != "" && pivot != PivotPlaceholder && pivot == NormalizePivot(b.Pivot) {
		return 100, true
	}
	if a.CodeInsee != b.CodeInsee {
		return 0, false
	}
	coords := a.HasCoords && b.HasCoords
	if !coords && (!hasText(a.Adresse) || !hasText(b.Adresse)) {
		return 0, false
	}
	if !coords {
		// The national pipeline skips such pairs; a census typed by hand
		// often lacks coordinates, so name and address alone must be very
		// close (their mean over 90 maps to the same threshold).
		mean := (Ratio(a.Nom, b.Nom) + Ratio(a.Adresse, b.Adresse)) / 2
		return max(0, mean-90+DuplicateThreshold), true
	}
	dist := distanceScore(a.Latitude, a.Longitude, b.Latitude, b.Longitude)
	// Integer division truncates, as the pipeline's Math.trunc of the mean.
	return (Ratio(a.Nom, b.Nom) + Ratio(a.Adresse, b.Adresse) + dist) / 3, true
}

// distanceScore is 100 within about 40 m, then falls with the distance in
// degrees, measured flat as the pipeline does (it is only a ranking).
func distanceScore(lat1, lon1, lat2, lon2 float64) int {
	d := math.Hypot(lat1-lat2, lon1-lon2)
	if d < 0.0004 {
		return 100
	}
	return int(100 / (d*1000 + 1))
}

// DistanceMeters is the great-circle distance between two points.
func DistanceMeters(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371000.0 // mean Earth radius
	rad := math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Sqrt(min(1, h)))
}

// MergeField is one single-valued field a person picks between two
// duplicates when merging them.
type MergeField struct {
	Key   string // standard column name, or the private field's name
	Label string // French label

	str func(p *Place) *string // nil for "coordonnees"
}

// MergeScalarFields lists, in form order, the fields Merge takes from one
// side or the other; list and set fields are always unioned.
var MergeScalarFields = []MergeField{
	mergeText("nom", func(p *Place) *string { return &p.Nom }),
	mergeText("adresse", func(p *Place) *string { return &p.Adresse }),
	mergeText("complement_adresse", func(p *Place) *string { return &p.ComplementAdresse }),
	mergeText("code_postal", func(p *Place) *string { return &p.CodePostal }),
	mergeText("commune", func(p *Place) *string { return &p.Commune }),
	mergeText("code_insee", func(p *Place) *string { return &p.CodeInsee }),
	{Key: "coordonnees", Label: "Coordonnées GPS"},
	mergeText("pivot", func(p *Place) *string { return &p.Pivot }),
	mergeText("telephone", func(p *Place) *string { return &p.Telephone }),
	mergeText("horaires", func(p *Place) *string { return &p.Horaires }),
	mergeText("presentation_resume", func(p *Place) *string { return &p.Resume }),
	mergeText("presentation_detail", func(p *Place) *string { return &p.Detail }),
	mergeText("structure_parente", func(p *Place) *string { return &p.StructureParente }),
	mergeText("fiche_acces_libre", func(p *Place) *string { return &p.FicheAccesLibre }),
	mergeText("prise_rdv", func(p *Place) *string { return &p.PriseRdv }),
	mergeText("source", func(p *Place) *string { return &p.Source }),
	mergeText("contact_nom", func(p *Place) *string { return &p.ContactNom }),
	mergeText("contact_email", func(p *Place) *string { return &p.ContactEmail }),
	mergeText("contact_telephone", func(p *Place) *string { return &p.ContactTelephone }),
}

// mergeText labels a text field as the rest of the application does.
func mergeText(key string, str func(p *Place) *string) MergeField {
	return MergeField{Key: key, Label: FieldLabel(key), str: str}
}

func mergeField(key string) (MergeField, bool) {
	for _, f := range MergeScalarFields {
		if f.Key == key {
			return f, true
		}
	}
	return MergeField{}, false
}

// ScalarValue renders one of MergeScalarFields as the text shown beside the
// choice; "" when empty or for an unknown key.
func ScalarValue(p *Place, key string) string {
	f, ok := mergeField(key)
	switch {
	case !ok:
		return ""
	case key == "coordonnees":
		if !p.HasCoords {
			return ""
		}
		return frenchDecimal(p.Latitude) + " ; " + frenchDecimal(p.Longitude)
	case key == "pivot" && p.PivotMissing():
		return ""
	case key == "telephone" || key == "contact_telephone":
		return FormatPhone(*f.str(p))
	}
	return *f.str(p)
}

func frenchDecimal(x float64) string {
	return strings.Replace(strconv.FormatFloat(x, 'f', -1, 64), ".", ",", 1)
}

// Merge combines two duplicates into a new place, leaving both untouched.
// It starts from keep; each key of MergeScalarFields set in take comes from
// other instead (other keys are ignored). Lists and sets are unioned, notes
// joined, complementary fields completed from other, and date_maj is the
// later one. Identity, status and timestamps stay keep's.
func Merge(keep, other *Place, take map[string]bool) *Place {
	out := clonePlace(keep)
	for _, f := range MergeScalarFields {
		if !take[f.Key] {
			continue
		}
		if f.str == nil {
			out.Latitude, out.Longitude, out.HasCoords = other.Latitude, other.Longitude, other.HasCoords
			continue
		}
		*f.str(out) = *f.str(other)
		if f.Key == "code_insee" {
			// The territory is derived from the INSEE code: keep them consistent.
			out.EPCI, out.Departement, out.Region = other.EPCI, other.Departement, other.Region
		}
	}
	out.Typologies = union(out.Typologies, other.Typologies)
	out.Courriels = union(out.Courriels, other.Courriels)
	out.SitesWeb = union(out.SitesWeb, other.SitesWeb)
	out.AutresLabels = union(out.AutresLabels, other.AutresLabels)
	for _, v := range SetVocabs {
		*v.field(out) |= v.setOf(other)
	}
	switch {
	case out.Notes == "":
		out.Notes = other.Notes
	case other.Notes != "" && other.Notes != out.Notes:
		out.Notes += "\n" + other.Notes
	}
	for k, v := range other.Extra {
		if out.Extra[k] == "" && v != "" {
			if out.Extra == nil {
				out.Extra = map[string]string{}
			}
			out.Extra[k] = v
		}
	}
	if other.DateMaj.After(out.DateMaj) {
		out.DateMaj = other.DateMaj
	}
	return out
}

// union lists the items of a then b once each, in order, comparing folded
// text so that "Contact@x.fr" and "contact@x.fr" count once; it returns a
// new slice.
func union(a, b []string) []string {
	var out []string
	seen := make(map[string]bool, len(a)+len(b))
	for _, s := range slices.Concat(a, b) {
		if k := Fold(s); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	return out
}

// clonePlace copies p deeply: slices and maps are not shared.
func clonePlace(p *Place) *Place {
	c := *p
	c.Typologies = slices.Clone(p.Typologies)
	c.Courriels = slices.Clone(p.Courriels)
	c.SitesWeb = slices.Clone(p.SitesWeb)
	c.AutresLabels = slices.Clone(p.AutresLabels)
	c.Extra = maps.Clone(p.Extra)
	return &c
}
