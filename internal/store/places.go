package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"portrea/internal/place"
)

// placePublicCols are the columns of a place that may be shown to anyone;
// public queries select only these, so private data cannot leak through
// them even by mistake.
const placePublicCols = `id, pivot, nom, adresse, complement_adresse, code_postal, commune, code_insee,
	epci, departement, region, latitude, longitude, typologies, telephone, courriels, sites_web, horaires,
	resume, detail, source, structure_parente, date_maj, itinerance, services, publics, prise_en_charge,
	frais, dispositifs, formations_labels, modalites_acces, modalites_accompagnement, autres_labels,
	fiche_acces_libre, prise_rdv, status, duplicate_of, created_at, updated_at`

const placePrivateCols = `contact_nom, contact_email, contact_telephone, notes`

const placeAllCols = placePublicCols + `, ` + placePrivateCols

// placeWriteCols are written on insert and update, in this order, by placeArgs.
var placeWriteCols = []string{
	"pivot", "nom", "adresse", "complement_adresse", "code_postal", "commune", "code_insee",
	"epci", "departement", "region", "latitude", "longitude", "typologies", "telephone", "courriels", "sites_web",
	"horaires", "resume", "detail", "source", "structure_parente", "date_maj", "itinerance", "services",
	"publics", "prise_en_charge", "frais", "dispositifs", "formations_labels", "modalites_acces",
	"modalites_accompagnement", "autres_labels", "fiche_acces_libre", "prise_rdv",
	"contact_nom", "contact_email", "contact_telephone", "notes", "status", "duplicate_of",
	"sort_key", "updated_at", "seq",
}

// placeArgs are the values of placeWriteCols; seq is the transaction's
// stamp from bumpPlaces.
func placeArgs(p *place.Place, seq int64) []any {
	var lat, lon any
	if p.HasCoords {
		lat, lon = p.Latitude, p.Longitude
	}
	var dup any
	if p.DuplicateOf != "" {
		dup = p.DuplicateOf
	}
	typ := ""
	if len(p.Typologies) > 0 {
		typ = "|" + strings.Join(p.Typologies, "|") + "|"
	}
	return []any{
		p.Pivot, p.Nom, p.Adresse, p.ComplementAdresse, p.CodePostal, p.Commune, p.CodeInsee,
		p.EPCI, p.Departement, p.Region, lat, lon, typ, p.Telephone,
		strings.Join(p.Courriels, "|"), strings.Join(p.SitesWeb, "|"),
		p.Horaires, p.Resume, p.Detail, p.Source, p.StructureParente, p.DateMaj,
		int64(p.Itinerance), int64(p.Services), int64(p.Publics), int64(p.PriseEnCharge), int64(p.Frais),
		int64(p.Dispositifs), int64(p.FormationsLabels), int64(p.ModalitesAcces), int64(p.ModalitesAccompagnement),
		strings.Join(p.AutresLabels, "|"), p.FicheAccesLibre, p.PriseRdv,
		p.ContactNom, p.ContactEmail, p.ContactTelephone, p.Notes, string(p.Status), dup,
		place.Fold(p.Nom), p.UpdatedAt, seq,
	}
}

type scanner interface{ Scan(...any) error }

func scanPlace(sc scanner, private bool) (*place.Place, error) {
	p := &place.Place{}
	var lat, lon sql.NullFloat64
	var dup sql.NullString
	var typ, courriels, sites, autres, status string
	var sets [9]int64
	dest := []any{&p.ID, &p.Pivot, &p.Nom, &p.Adresse, &p.ComplementAdresse, &p.CodePostal, &p.Commune, &p.CodeInsee,
		&p.EPCI, &p.Departement, &p.Region, &lat, &lon, &typ, &p.Telephone, &courriels, &sites, &p.Horaires,
		&p.Resume, &p.Detail, &p.Source, &p.StructureParente, &p.DateMaj,
		&sets[0], &sets[1], &sets[2], &sets[3], &sets[4], &sets[5], &sets[6], &sets[7], &sets[8],
		&autres, &p.FicheAccesLibre, &p.PriseRdv, &status, &dup, &p.CreatedAt, &p.UpdatedAt}
	if private {
		dest = append(dest, &p.ContactNom, &p.ContactEmail, &p.ContactTelephone, &p.Notes)
	}
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	p.Latitude, p.Longitude, p.HasCoords = lat.Float64, lon.Float64, lat.Valid && lon.Valid
	p.DuplicateOf = dup.String
	p.Status = place.Status(status)
	p.Typologies = splitStored(strings.Trim(typ, "|"))
	p.Courriels, p.SitesWeb, p.AutresLabels = splitStored(courriels), splitStored(sites), splitStored(autres)
	p.DateMaj = time.Date(p.DateMaj.Year(), p.DateMaj.Month(), p.DateMaj.Day(), 0, 0, 0, 0, time.UTC)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	for i, s := range []*place.Set{&p.Itinerance, &p.Services, &p.Publics, &p.PriseEnCharge, &p.Frais,
		&p.Dispositifs, &p.FormationsLabels, &p.ModalitesAcces, &p.ModalitesAccompagnement} {
		*s = place.Set(sets[i])
	}
	return p, nil
}

func splitStored(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

// Write describes a change to a place, for its history.
type Write struct {
	Actor   place.Actor
	Summary string // "création", "modification", "confirmation"… ("" picks one)
	// Confirm is true when a person confirmed the record is up to date: only
	// then does date_maj move (to today).
	Confirm bool
	// RecordDate writes the record's own date_maj on update (an import
	// carries the date its source checked the data).
	RecordDate bool
	// IfUnchanged refuses an update (ErrConflict) when the stored place
	// changed since the version the new one was computed from (its
	// UpdatedAt): an import previewed earlier must not undo a later edit.
	IfUnchanged bool
}

// CreatePlace inserts a new place and its history entry in one
// transaction. p.ID is set if empty; p.DateMaj is kept as given (an import
// carries the source's date) or set to today when empty.
func (s *Store) CreatePlace(ctx context.Context, p *place.Place, w Write) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		return s.createPlaceTx(ctx, tx, p, w)
	})
}

func (s *Store) createPlaceTx(ctx context.Context, tx *sql.Tx, p *place.Place, w Write) error {
	now := s.now().UTC()
	if p.ID == "" {
		p.ID = place.NewID()
	}
	if p.DateMaj.IsZero() || w.Confirm {
		p.DateMaj = place.Date(now)
	}
	if p.Status == "" {
		p.Status = place.StatusActive
	}
	p.CreatedAt, p.UpdatedAt = now, now
	fieldIDs, err := checkExtraValues(ctx, tx, p)
	if err != nil {
		return err
	}
	seq, err := bumpPlaces(ctx, tx)
	if err != nil {
		return err
	}
	cols := append([]string{"id", "created_at"}, placeWriteCols...)
	args := append([]any{p.ID, now}, placeArgs(p, seq)...)
	q := `INSERT INTO places (` + strings.Join(cols, ", ") + `) VALUES (` + placeholders(1, len(cols)) + `)`
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("store: insert place %s: %w", p.ID, err)
	}
	if err := writeExtraValues(ctx, tx, p, fieldIDs); err != nil {
		return err
	}
	summary := w.Summary
	if summary == "" {
		summary = "création"
	}
	return addHistory(ctx, tx, p.ID, now, w.Actor, summary, place.Diff(nil, p))
}

// UpdatePlace saves a new version of a place and records what changed in
// its history, in one transaction. date_maj only moves when w.Confirm is
// set: a technical change is not a confirmation that the data is fresh.
// A write that changes nothing and confirms nothing records nothing.
func (s *Store) UpdatePlace(ctx context.Context, p *place.Place, w Write) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.updatePlaceTx(ctx, tx, p, w) })
}

func (s *Store) updatePlaceTx(ctx context.Context, tx *sql.Tx, p *place.Place, w Write) error {
	old, err := getPlace(ctx, tx, p.ID, true)
	if err != nil {
		return err
	}
	if w.IfUnchanged && !old.UpdatedAt.Equal(p.UpdatedAt) {
		return fmt.Errorf("%w: place %s", ErrConflict, p.ID)
	}
	now := s.now().UTC()
	p.CreatedAt = old.CreatedAt
	switch {
	case w.Confirm:
		p.DateMaj = place.Date(now)
	case !w.RecordDate || p.DateMaj.IsZero():
		p.DateMaj = old.DateMaj
	}
	fieldIDs, err := checkExtraValues(ctx, tx, p)
	if err != nil {
		return err
	}
	changes := place.Diff(old, p)
	if len(changes) == 0 && !w.Confirm {
		p.UpdatedAt = old.UpdatedAt
		return nil
	}
	p.UpdatedAt = now
	seq, err := bumpPlaces(ctx, tx)
	if err != nil {
		return err
	}
	sets := make([]string, len(placeWriteCols))
	for i, c := range placeWriteCols {
		sets[i] = fmt.Sprintf("%s = $%d", c, i+1)
	}
	args := append(placeArgs(p, seq), p.ID)
	q := `UPDATE places SET ` + strings.Join(sets, ", ") + fmt.Sprintf(` WHERE id = $%d`, len(args))
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("store: update place %s: %w", p.ID, err)
	}
	if err := writeExtraValues(ctx, tx, p, fieldIDs); err != nil {
		return err
	}
	summary := w.Summary
	if summary == "" {
		summary = "modification"
		if len(changes) == 0 || (len(changes) == 1 && changes[0].Field == "date_maj") {
			summary = "confirmation"
		}
	}
	return addHistory(ctx, tx, p.ID, now, w.Actor, summary, changes)
}

// ConfirmPlace records that a person confirmed the place is up to date
// ("Rien n'a changé"): date_maj becomes today.
func (s *Store) ConfirmPlace(ctx context.Context, id string, w Write) error {
	p, err := s.GetPlace(ctx, id)
	if err != nil {
		return err
	}
	w.Confirm = true
	if w.Summary == "" {
		w.Summary = "confirmation"
	}
	return s.UpdatePlace(ctx, p, w)
}

// GetPlace returns a place with its private fields and complementary
// values, for the back office.
func (s *Store) GetPlace(ctx context.Context, id string) (*place.Place, error) {
	return getPlace(ctx, s.r, id, true)
}

// GetPublicPlace returns a place shown to the public: public fields only,
// and ErrNotFound for a place that is closed, gone or a duplicate.
func (s *Store) GetPublicPlace(ctx context.Context, id string) (*place.Place, error) {
	p, err := getPlace(ctx, s.r, id, false)
	if err != nil {
		return nil, err
	}
	if !p.Public() {
		return nil, ErrNotFound
	}
	return p, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func getPlace(ctx context.Context, q querier, id string, private bool) (*place.Place, error) {
	cols := placePublicCols
	if private {
		cols = placeAllCols
	}
	p, err := scanPlace(q.QueryRowContext(ctx, `SELECT `+cols+` FROM places WHERE id = $1`, id), private)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: get place %s: %w", id, err)
	}
	if private {
		if p.Extra, err = loadExtraValues(ctx, q, id); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func addHistory(ctx context.Context, tx *sql.Tx, id string, at time.Time, a place.Actor, summary string, changes []place.Change) error {
	if changes == nil {
		changes = []place.Change{}
	}
	b, err := json.Marshal(changes)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO place_history (place_id, at, actor_kind, actor_name, summary, changes)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, at, string(a.Kind), a.Name, summary, string(b)); err != nil {
		return fmt.Errorf("store: history of %s: %w", id, err)
	}
	return nil
}

// PlaceHistory lists the changes of a place, newest first.
func (s *Store) PlaceHistory(ctx context.Context, id string) ([]place.HistoryEntry, error) {
	return placeHistory(ctx, s.r, id)
}

func placeHistory(ctx context.Context, q querier, id string) ([]place.HistoryEntry, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, place_id, at, actor_kind, actor_name, summary, changes
		FROM place_history WHERE place_id = $1 ORDER BY id DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("store: history of %s: %w", id, err)
	}
	defer rows.Close()
	var out []place.HistoryEntry
	for rows.Next() {
		var h place.HistoryEntry
		var kind, changes string
		if err := rows.Scan(&h.ID, &h.PlaceID, &h.At, &kind, &h.Actor.Name, &h.Summary, &changes); err != nil {
			return nil, err
		}
		h.Actor.Kind = place.ActorKind(kind)
		h.At = h.At.UTC()
		if err := json.Unmarshal([]byte(changes), &h.Changes); err != nil {
			return nil, fmt.Errorf("store: history %d of %s: %w", h.ID, id, err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// bumpPlaces increments the places counter inside a writing transaction
// and returns the stamp for the rows it writes. The counter row stays
// locked until the transaction ends, so stamps commit in order.
func bumpPlaces(ctx context.Context, tx *sql.Tx) (int64, error) {
	var v int64
	if err := tx.QueryRowContext(ctx, `UPDATE counters SET value = value + 1 WHERE name = 'places' RETURNING value`).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: places counter: %w", err)
	}
	return v, nil
}

// placeholders returns "$from, $from+1, …" for n values.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}
