package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"portrea/internal/place"
)

// Import statuses.
const (
	ImportReading     = "lecture"     // the preview is being computed
	ImportColumns     = "colonnes"    // waiting for the person to map the columns
	ImportPreviewed   = "apercu"      // waiting for the person to commit
	ImportCommitting  = "validation"  // being committed (only in memory: the row flips with the data)
	ImportCommitted   = "validee"     // applied
	ImportFailed      = "echec"       // the file could not be read or the commit failed
	ImportInterrupted = "interrompue" // the server stopped during the preview
)

// ErrImportDone is returned when committing an import that is not waiting
// for it (already committed, failed, interrupted).
var ErrImportDone = errors.New("store: import not waiting for commit")

// Import is one census import.
type Import struct {
	ID          string
	EPCI        string
	UserID      string
	FileName    string
	Mode        string // "import" or "preremplissage"
	Status      string
	Mapping     string // JSON: the column mapping used
	Summary     string // French: what the preview found, or why it failed
	CreatedAt   time.Time
	UpdatedAt   time.Time
	CommittedAt time.Time
	// Work in progress in some instance: the last sign of life of the
	// process computing the preview (or committing), and its progress
	// (JSON, see ImportProgress).
	Worker      string
	HeartbeatAt time.Time
	Progress    string
}

const importCols = `id, epci, user_id, file_name, mode, status, mapping, summary, created_at, updated_at, committed_at, worker, heartbeat_at, progress`

func scanImport(sc scanner) (*Import, error) {
	var im Import
	var committed, beat sql.NullTime
	if err := sc.Scan(&im.ID, &im.EPCI, &im.UserID, &im.FileName, &im.Mode, &im.Status, &im.Mapping, &im.Summary,
		&im.CreatedAt, &im.UpdatedAt, &committed, &im.Worker, &beat, &im.Progress); err != nil {
		return nil, err
	}
	im.CommittedAt, im.HeartbeatAt = committed.Time, beat.Time
	return &im, nil
}

// ImportStale is how long an import's worker may stay silent before the
// other instances take its preview for interrupted.
const ImportStale = time.Minute

// Alive says whether the process working on the import gave a sign of
// life recently.
func (im *Import) Alive(now time.Time) bool {
	return !im.HeartbeatAt.IsZero() && now.Sub(im.HeartbeatAt) < ImportStale
}

// ImportBeat records the progress of a preview this process computes and
// that it is alive; it does nothing once the preview is over.
func (s *Store) ImportBeat(ctx context.Context, id, progress string) error {
	_, err := s.w.ExecContext(ctx, `UPDATE imports SET worker = $1, heartbeat_at = $2, progress = $3 WHERE id = $4 AND status = $5`,
		s.instance, s.now().UTC(), progress, id, ImportReading)
	if err != nil {
		return fmt.Errorf("store: import %s progress: %w", id, err)
	}
	return nil
}

// MarkImportCommitting tells the other instances that this process is
// committing a previewed import (the row flips only with the data).
func (s *Store) MarkImportCommitting(ctx context.Context, id, progress string) error {
	_, err := s.w.ExecContext(ctx, `UPDATE imports SET worker = $1, heartbeat_at = $2, progress = $3 WHERE id = $4 AND status = $5`,
		s.instance, s.now().UTC(), progress, id, ImportPreviewed)
	if err != nil {
		return fmt.Errorf("store: import %s committing: %w", id, err)
	}
	return nil
}

// CreateImport records a received file. im.ID is set if empty.
func (s *Store) CreateImport(ctx context.Context, im *Import, content []byte) error {
	if im.ID == "" {
		im.ID = place.NewID()
	}
	now := s.now().UTC()
	im.CreatedAt, im.UpdatedAt = now, now
	if im.Status == "" {
		im.Status = ImportReading
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO imports (id, epci, user_id, file_name, mode, status, mapping, summary, content, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		im.ID, im.EPCI, im.UserID, im.FileName, im.Mode, im.Status, im.Mapping, im.Summary, content, now, now)
	if err != nil {
		return fmt.Errorf("store: create import: %w", err)
	}
	return nil
}

// GetImport returns an import without its file.
func (s *Store) GetImport(ctx context.Context, id string) (*Import, error) {
	im, err := scanImport(s.r.QueryRowContext(ctx, `SELECT `+importCols+` FROM imports WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: import %s: %w", id, err)
	}
	return im, nil
}

// ImportContent returns the file an import received.
func (s *Store) ImportContent(ctx context.Context, id string) ([]byte, error) {
	var b []byte
	err := s.r.QueryRowContext(ctx, `SELECT content FROM imports WHERE id = $1`, id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: import %s content: %w", id, err)
	}
	return b, nil
}

// ImportErrorReport returns the report of the rows in error (CSV), or nil.
func (s *Store) ImportErrorReport(ctx context.Context, id string) ([]byte, error) {
	var b []byte
	err := s.r.QueryRowContext(ctx, `SELECT error_report FROM imports WHERE id = $1`, id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: import %s report: %w", id, err)
	}
	return b, nil
}

// SetImportStatus moves an import to a status with a French summary.
// Only an import not yet committed moves.
func (s *Store) SetImportStatus(ctx context.Context, id, status, summary string) error {
	_, err := s.w.ExecContext(ctx, `UPDATE imports SET status = $1, summary = $2, updated_at = $3 WHERE id = $4 AND status <> $5`,
		status, summary, s.now().UTC(), id, ImportCommitted)
	if err != nil {
		return fmt.Errorf("store: import %s status: %w", id, err)
	}
	return nil
}

// SaveImportPreview records a finished preview: the mapping used, the
// summary and the report of rows in error.
func (s *Store) SaveImportPreview(ctx context.Context, id, mapping, summary string, report []byte) error {
	_, err := s.w.ExecContext(ctx, `UPDATE imports SET status = $1, mapping = $2, summary = $3, error_report = $4, updated_at = $5 WHERE id = $6 AND status <> $7`,
		ImportPreviewed, mapping, summary, report, s.now().UTC(), id, ImportCommitted)
	if err != nil {
		return fmt.Errorf("store: import %s preview: %w", id, err)
	}
	return nil
}

// InterruptImports marks the previews whose process stopped (no sign of
// life for ImportStale): the person sees the import stopped and can run it
// again. Previews other instances are computing are left alone.
func (s *Store) InterruptImports(ctx context.Context) (int, error) {
	now := s.now().UTC()
	res, err := s.w.ExecContext(ctx, `UPDATE imports SET status = $1, summary = $2, updated_at = $3 WHERE status = $4 AND (heartbeat_at IS NULL OR heartbeat_at < $5)`,
		ImportInterrupted, "Le serveur s'est arrêté pendant l'aperçu : rien n'a été enregistré. Relancez l'aperçu.", now, ImportReading, now.Add(-ImportStale))
	if err != nil {
		return 0, fmt.Errorf("store: interrupt imports: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// Imports lists the latest imports of territories (all when epcis is nil),
// newest first.
func (s *Store) Imports(ctx context.Context, epcis []string, limit int) ([]*Import, error) {
	where, args, ok := inTerritories(epcis)
	if !ok {
		return nil, nil
	}
	return queryAll(ctx, s.r, "imports", `SELECT `+importCols+` FROM imports`+where+fmt.Sprintf(` ORDER BY created_at DESC, id LIMIT %d`, limit), args, scanImport)
}

// ImportResult counts what a commit wrote.
type ImportResult struct{ Created, Updated int }

// ErrImportConflict is returned when a commit would create a place whose
// id already exists: nothing is written.
var ErrImportConflict = errors.New("store: an imported place already exists")

// ApplyImport commits a previewed import in one transaction: the import is
// marked committed, the new places are inserted and the updated ones
// written with their history, or nothing happens at all. A second commit
// of the same import returns ErrImportDone; a place changed since the
// preview returns ErrConflict (the preview must be run again).
func (s *Store) ApplyImport(ctx context.Context, id string, creates, updates []*place.Place, w Write, summary string) (ImportResult, error) {
	var res ImportResult
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now().UTC()
		r, err := tx.ExecContext(ctx, `UPDATE imports SET status = $1, summary = $2, committed_at = $3, updated_at = $3 WHERE id = $4 AND status = $5`,
			ImportCommitted, summary, now, id, ImportPreviewed)
		if err != nil {
			return fmt.Errorf("store: commit import %s: %w", id, err)
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return ErrImportDone
		}
		var bulk []*place.Place
		for _, p := range creates {
			if len(p.Extra) > 0 {
				if err := s.createPlaceTx(ctx, tx, p, w); err != nil {
					return err
				}
				res.Created++
				continue
			}
			bulk = append(bulk, p)
		}
		n, err := s.insertPlacesTx(ctx, tx, bulk, w)
		if err != nil {
			return err
		}
		if n != len(bulk) {
			return ErrImportConflict
		}
		res.Created += n
		w.RecordDate, w.IfUnchanged = true, true
		for _, p := range updates {
			if err := s.updatePlaceTx(ctx, tx, p, w); err != nil {
				return err
			}
			res.Updated++
		}
		return nil
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

// SaveImportMapping keeps a confirmed column mapping (header name → key)
// for the next file with the same columns.
func (s *Store) SaveImportMapping(ctx context.Context, epci, signature string, mapping map[string]string) error {
	b, err := json.Marshal(mapping)
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO import_mappings (epci, signature, mapping, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (epci, signature) DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at`,
		epci, signature, string(b), s.now().UTC())
	if err != nil {
		return fmt.Errorf("store: save import mapping: %w", err)
	}
	return nil
}

// ImportMapping returns the saved mapping for a header, or ErrNotFound.
func (s *Store) ImportMapping(ctx context.Context, epci, signature string) (map[string]string, error) {
	var raw string
	err := s.r.QueryRowContext(ctx, `SELECT mapping FROM import_mappings WHERE epci = $1 AND signature = $2`, epci, signature).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: import mapping: %w", err)
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, fmt.Errorf("store: import mapping: %w", err)
	}
	return m, nil
}
