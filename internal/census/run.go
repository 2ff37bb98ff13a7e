package census

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/territory"
)

// Import modes.
const (
	ModeImport  = "import"         // the territory's own census
	ModePrefill = "preremplissage" // the national open data, to start from
)

// Importer runs imports against the database: the file is kept with the
// import, the preview is computed from it, and the commit writes the
// accepted rows in one transaction.
type Importer struct {
	Store    *store.Store
	Ref      *territory.Reference
	Geocoder Geocoder // nil: no geocoding
	Now      func() time.Time
}

func (im *Importer) now() time.Time {
	if im.Now != nil {
		return im.Now()
	}
	return time.Now()
}

// Receive checks that the file can be read and records it. A file that
// cannot be read is refused with a *FileError and nothing is recorded.
func (im *Importer) Receive(ctx context.Context, name string, data []byte, epci, userID, mode string) (*store.Import, *File, error) {
	f, err := ReadFile(name, data)
	if err != nil {
		return nil, nil, err
	}
	rec := &store.Import{EPCI: epci, UserID: userID, FileName: name, Mode: mode, Status: store.ImportReading}
	if err := im.Store.CreateImport(ctx, rec, data); err != nil {
		return nil, nil, err
	}
	return rec, f, nil
}

// Detect proposes the column mapping of a received file: the detected one,
// or the one saved for files with the same columns.
func (im *Importer) Detect(ctx context.Context, epci string, f *File) (Detected, []place.ExtraField, error) {
	extra, err := im.extra(ctx, epci)
	if err != nil {
		return Detected{}, nil, err
	}
	d := Detect(f.Header, extra)
	if d.Format == FormatOther {
		saved, err := im.Store.ImportMapping(ctx, epci, d.Signature)
		switch {
		case err == nil:
			d.ApplySaved(f.Header, saved)
		case !errors.Is(err, store.ErrNotFound):
			return Detected{}, nil, err
		}
	}
	return d, extra, nil
}

func (im *Importer) extra(ctx context.Context, epci string) ([]place.ExtraField, error) {
	if epci == "" {
		return nil, nil
	}
	return im.Store.ExtraFields(ctx, epci)
}

// Preview computes the plan of a received import and records its summary
// and error report. mapping nil uses the detected (or saved) mapping.
func (im *Importer) Preview(ctx context.Context, rec *store.Import, f *File, mapping []string, progress func(stage string, done, total int)) (*Plan, error) {
	d, extra, err := im.Detect(ctx, rec.EPCI, f)
	if err != nil {
		return nil, err
	}
	if mapping == nil {
		mapping = d.Mapping
	}
	existing := func(ctx context.Context, epci string) ([]*place.Place, error) {
		var out []*place.Place
		err := im.Store.EachPlaceOfTerritory(ctx, epci, func(p *place.Place) error {
			out = append(out, p)
			return nil
		})
		return out, err
	}
	lookup := func(ctx context.Context, id string) (*place.Place, error) {
		p, err := im.Store.GetPlace(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		return p, err
	}
	pl, err := Preview(ctx, f, Options{
		EPCI: rec.EPCI, Prefill: rec.Mode == ModePrefill, Mapping: mapping, Ref: im.Ref, Extra: extra,
		Existing: existing, Lookup: lookup, Geocoder: im.Geocoder, Now: im.now(), Progress: progress,
	})
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			// The file is fine but nothing can be read from it this way:
			// the person can change the mapping and try again.
			im.Store.SetImportStatus(context.WithoutCancel(ctx), rec.ID, store.ImportFailed, fe.Reason)
		}
		return nil, err
	}
	pl.Detected = d
	m, err := json.Marshal(mapping)
	if err != nil {
		return nil, err
	}
	if rec.ID == "" { // a dry run records nothing
		return pl, nil
	}
	if err := im.Store.SaveImportPreview(ctx, rec.ID, string(m), pl.Summary(), pl.ErrorReport()); err != nil {
		return nil, err
	}
	rec.Status, rec.Summary, rec.Mapping = store.ImportPreviewed, pl.Summary(), string(m)
	return pl, nil
}

// Commit writes the accepted rows of a previewed import in one
// transaction, or nothing.
func (im *Importer) Commit(ctx context.Context, rec *store.Import, pl *Plan, actor place.Actor) (store.ImportResult, error) {
	creates, updates := pl.Writes()
	summary := fmt.Sprintf("%d lieux créés, %d mis à jour, %d déjà à jour, %d doublons écartés, %d lignes en erreur.",
		len(creates), len(updates), pl.Counts[ActionSame], pl.Counts[ActionDuplicate], pl.Counts[ActionError])
	w := store.Write{Actor: actor, Summary: "import du fichier « " + rec.FileName + " »"}
	return im.Store.ApplyImport(ctx, rec.ID, creates, updates, w, summary)
}
