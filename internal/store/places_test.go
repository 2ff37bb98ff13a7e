package store_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

var (
	ctx     = context.Background()
	testNow = time.Date(2026, 11, 26, 10, 30, 0, 0, time.UTC) // a Thursday
)

func clock(st *store.Store, t time.Time) { st.SetClock(func() time.Time { return t }) }

func newPlace(t testing.TB, insee, nom string) *place.Place {
	t.Helper()
	ref := territory.Default()
	c, ok := ref.Commune(insee)
	if !ok {
		t.Fatalf("unknown commune %s", insee)
	}
	p := &place.Place{
		Nom: nom, Adresse: "1 place de la Mairie", CodeInsee: insee, CodePostal: c.CodesPostaux[0],
		Latitude: c.Lat, Longitude: c.Lon, HasCoords: true, Typologies: []string{"MUNI"},
		Telephone: "02 99 00 00 00", Courriels: []string{"mairie@example.org"}, Horaires: "Mo-Fr 09:00-12:00,14:00-17:00",
		Services: place.Services.Bit("aide-demarches"), Frais: place.Frais.Bit("gratuit"),
		ModalitesAcces: place.ModalitesAcces.Bit("se-presenter"), DateMaj: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
		ContactNom: "Anne Privée", ContactEmail: "anne.privee@example.org", Notes: "note du référent",
	}
	p.Normalize(ref)
	if err := p.Validate(ref, testNow); err != nil {
		t.Fatalf("test place invalid: %v", err)
	}
	return p
}

func TestMigrationsSameOnBothEngines(t *testing.T) {
	names := func(dir string) []string {
		var out []string
		entries, err := os.ReadDir(filepath.Join("migrations", dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			out = append(out, e.Name())
		}
		sort.Strings(out)
		return out
	}
	sq, pg := names("sqlite"), names("postgres")
	if len(sq) == 0 || !reflect.DeepEqual(sq, pg) {
		t.Fatalf("migrations differ:\nsqlite   %v\npostgres %v", sq, pg)
	}
	// Both engines must create the same tables.
	tables := func(dir string) []string {
		var out []string
		fs.WalkDir(os.DirFS("migrations/"+dir), ".", func(p string, d fs.DirEntry, err error) error {
			if d.IsDir() {
				return nil
			}
			b, _ := os.ReadFile(filepath.Join("migrations", dir, p))
			for _, line := range strings.Split(string(b), "\n") {
				if f := strings.Fields(line); len(f) >= 3 && f[0] == "CREATE" && f[1] == "TABLE" {
					out = append(out, f[2])
				}
			}
			return nil
		})
		return out
	}
	if a, b := tables("sqlite"), tables("postgres"); !reflect.DeepEqual(a, b) {
		t.Errorf("tables differ:\nsqlite   %v\npostgres %v", a, b)
	}
}

func TestMigrateTwiceIsHarmless(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 2; i++ {
		st, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "x.db"))
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		st.Close()
	}
}

func TestCreateGetRoundTrip(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		p := newPlace(t, "35211", "Médiathèque de Paimpont")
		p.Services |= place.Services.Bit("acces-materiel")
		p.FormationsLabels = place.FormationsLabels.Bit("etapes-numeriques")
		p.AutresLabels = []string{"QPV"}
		actor := place.Actor{Kind: place.ActorPerson, Name: "referente@example.org"}
		if err := st.CreatePlace(ctx, p, store.Write{Actor: actor}); err != nil {
			t.Fatal(err)
		}
		got, err := st.GetPlace(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(p, got) {
			t.Errorf("round trip differs:\nwrote %+v\nread  %+v", p, got)
		}
		if got.DateMaj != time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC) {
			t.Errorf("date_maj of a created place moved to %v", got.DateMaj)
		}
		pub, err := st.GetPublicPlace(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if pub.ContactNom != "" || pub.ContactEmail != "" || pub.Notes != "" || pub.Extra != nil {
			t.Errorf("public read carries private data: %+v", pub)
		}
		if _, err := st.GetPlace(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetPlace(nope) = %v, want ErrNotFound", err)
		}
		h, err := st.PlaceHistory(ctx, p.ID)
		if err != nil || len(h) != 1 || h[0].Summary != "création" || h[0].Actor != actor || len(h[0].Changes) == 0 {
			t.Fatalf("history after create = %+v, %v", h, err)
		}
	})
}

func TestUpdateWritesHistoryAndKeepsDateMaj(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		p := newPlace(t, "35223", "Mairie de Plélan-le-Grand")
		if err := st.CreatePlace(ctx, p, store.Write{Actor: place.Actor{Kind: place.ActorImport, Name: "recensement.xlsx"}}); err != nil {
			t.Fatal(err)
		}
		// A technical change (even one trying to move date_maj) does not
		// make the data fresher.
		clock(st, testNow.Add(24*time.Hour))
		p.Horaires = "Mo-Fr 09:00-12:00"
		p.DateMaj = testNow
		if err := st.UpdatePlace(ctx, p, store.Write{Actor: place.Actor{Kind: place.ActorPerson, Name: "hub@example.org"}}); err != nil {
			t.Fatal(err)
		}
		got, _ := st.GetPlace(ctx, p.ID)
		if !got.DateMaj.Equal(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)) || got.Horaires != "Mo-Fr 09:00-12:00" {
			t.Errorf("after update: date_maj %v, horaires %q", got.DateMaj, got.Horaires)
		}
		// A human confirmation moves it to today (Paris time).
		clock(st, testNow.Add(48*time.Hour))
		if err := st.ConfirmPlace(ctx, p.ID, store.Write{Actor: place.Actor{Kind: place.ActorCampaign, Name: "campagne 2026-11"}}); err != nil {
			t.Fatal(err)
		}
		got, _ = st.GetPlace(ctx, p.ID)
		if want := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC); !got.DateMaj.Equal(want) {
			t.Errorf("after confirmation date_maj = %v, want %v", got.DateMaj, want)
		}
		// Saving without any change records nothing.
		if err := st.UpdatePlace(ctx, got, store.Write{Actor: place.Actor{Kind: place.ActorPerson, Name: "x"}}); err != nil {
			t.Fatal(err)
		}
		h, err := st.PlaceHistory(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var summaries []string
		for _, e := range h {
			summaries = append(summaries, string(e.Actor.Kind)+":"+e.Summary)
		}
		if want := []string{"campagne:confirmation", "personne:modification", "import:création"}; !reflect.DeepEqual(summaries, want) {
			t.Fatalf("history = %v, want %v", summaries, want)
		}
		if c := h[1].Changes; len(c) != 1 || c[0].Field != "horaires" || c[0].Old != "Mo-Fr 09:00-12:00,14:00-17:00" || c[0].New != "Mo-Fr 09:00-12:00" {
			t.Errorf("field-level diff = %+v", c)
		}
		if c := h[0].Changes; len(c) != 1 || c[0].Field != "date_maj" || c[0].New != "2026-11-28" {
			t.Errorf("confirmation diff = %+v", c)
		}
	})
}

// A failed write leaves neither the place change nor its history entry.
func TestUpdateIsAtomic(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		p := newPlace(t, "35223", "Mairie")
		if err := st.CreatePlace(ctx, p, store.Write{Actor: place.Actor{Kind: place.ActorPerson}}); err != nil {
			t.Fatal(err)
		}
		p.Nom = "Nouveau nom"
		p.Extra = map[string]string{"inconnu": "x"} // no such field: the write fails after the diff
		err := st.UpdatePlace(ctx, p, store.Write{Actor: place.Actor{Kind: place.ActorPerson}})
		var fe place.Errors
		if !errors.As(err, &fe) || fe.For("extra.inconnu") == "" {
			t.Fatalf("UpdatePlace = %v, want a field error on extra.inconnu", err)
		}
		got, _ := st.GetPlace(ctx, p.ID)
		h, _ := st.PlaceHistory(ctx, p.ID)
		if got.Nom != "Mairie" || len(h) != 1 {
			t.Errorf("failed update left traces: nom %q, %d history entries", got.Nom, len(h))
		}
	})
}

func TestExtraFields(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		wifi := &place.ExtraField{EPCI: "243500618", Key: "wifi", Label: "Wifi", Kind: place.ExtraBool, Position: 1}
		postes := &place.ExtraField{EPCI: "243500618", Key: "nb-postes", Label: "Postes", Kind: place.ExtraNumber, Position: 2}
		for _, f := range []*place.ExtraField{wifi, postes} {
			if err := st.CreateExtraField(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.CreateExtraField(ctx, &place.ExtraField{EPCI: "243500618", Key: "wifi", Label: "x", Kind: place.ExtraText}); !errors.Is(err, store.ErrExtraFieldExists) {
			t.Errorf("duplicate key accepted: %v", err)
		}
		if err := st.CreateExtraField(ctx, &place.ExtraField{EPCI: "243500618", Key: "Bad Key", Label: "x", Kind: place.ExtraText}); err == nil {
			t.Error("invalid key accepted")
		}
		fields, err := st.ExtraFields(ctx, "243500618")
		if err != nil || len(fields) != 2 || fields[0].Key != "wifi" {
			t.Fatalf("ExtraFields = %+v, %v", fields, err)
		}
		p := newPlace(t, "35211", "Tiers-lieu")
		p.Extra = map[string]string{"wifi": "Oui", "nb-postes": "4,0"}
		if err := st.CreatePlace(ctx, p, store.Write{Actor: place.Actor{Kind: place.ActorPerson}}); err != nil {
			t.Fatal(err)
		}
		got, _ := st.GetPlace(ctx, p.ID)
		if !reflect.DeepEqual(got.Extra, map[string]string{"wifi": "oui", "nb-postes": "4"}) {
			t.Errorf("extra values = %v", got.Extra)
		}
		got.Extra["nb-postes"] = "deux"
		err = st.UpdatePlace(ctx, got, store.Write{Actor: place.Actor{Kind: place.ActorPerson}})
		var fe place.Errors
		if !errors.As(err, &fe) || !strings.Contains(fe.For("extra.nb-postes"), "n'est pas un nombre") {
			t.Errorf("bad number accepted: %v", err)
		}
		// A place of another territory cannot use Brocéliande's fields.
		other := newPlace(t, "35238", "Mairie de Rennes")
		other.Extra = map[string]string{"wifi": "oui"}
		if err := st.CreatePlace(ctx, other, store.Write{Actor: place.Actor{Kind: place.ActorPerson}}); err == nil {
			t.Error("a Rennes place used a Brocéliande field")
		}
	})
}

func TestDeployments(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		d := &territory.Deployment{EPCI: "243500618", Phase: territory.PhaseContact}
		if err := st.SaveDeployment(ctx, d); err != nil {
			t.Fatal(err)
		}
		clock(st, testNow.AddDate(0, 0, 10))
		d.Strategy = territory.StrategyOutil
		if err := st.SaveDeployment(ctx, d); err != nil {
			t.Fatal(err)
		}
		got, err := st.Deployment(ctx, "243500618")
		if err != nil || !got.PhaseSince.Equal(testNow) || got.Strategy != territory.StrategyOutil {
			t.Fatalf("same phase moved its start: %+v %v", got, err)
		}
		d.Phase = territory.PhaseEngagement
		st.SaveDeployment(ctx, d)
		got, _ = st.Deployment(ctx, "243500618")
		if !got.PhaseSince.Equal(testNow.AddDate(0, 0, 10)) || got.Phase != territory.PhaseEngagement {
			t.Errorf("phase change not dated: %+v", got)
		}
		if err := st.SaveDeployment(ctx, &territory.Deployment{EPCI: "x", Phase: "bidon"}); err == nil {
			t.Error("unknown phase accepted")
		}
		all, _ := st.Deployments(ctx)
		if len(all) != 1 {
			t.Errorf("Deployments = %d rows", len(all))
		}
	})
}

// Two instances on one database: what one writes, the other's public
// index shows at its next query, including a place leaving publication.
func TestIndexFollowsOtherInstance(t *testing.T) {
	storetest.RunPair(t, func(t *testing.T, a, b *store.Store) {
		list := func(st *store.Store, q string) []string {
			t.Helper()
			page, err := st.ListPublicPlaces(ctx, store.PlaceFilter{Q: q, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, p := range page.Places {
				names = append(names, p.Nom)
			}
			return names
		}
		if got := list(b, ""); len(got) != 0 {
			t.Fatalf("empty database lists %v", got)
		}
		p := newPlace(t, "35211", "Médiathèque de Paimpont")
		if err := a.CreatePlace(ctx, p, store.Write{Actor: place.Actor{Kind: place.ActorPerson}}); err != nil {
			t.Fatal(err)
		}
		if got := list(b, "mediatheque"); !reflect.DeepEqual(got, []string{"Médiathèque de Paimpont"}) {
			t.Fatalf("other instance lists %v", got)
		}
		p.Nom = "Bibliothèque de Paimpont"
		if err := a.UpdatePlace(ctx, p, store.Write{Actor: place.Actor{Kind: place.ActorPerson}}); err != nil {
			t.Fatal(err)
		}
		if got := list(b, "mediatheque"); len(got) != 0 {
			t.Errorf("renamed place still found by its old name: %v", got)
		}
		if got := list(b, "biblio"); !reflect.DeepEqual(got, []string{"Bibliothèque de Paimpont"}) {
			t.Errorf("renamed place = %v", got)
		}
		more := []*place.Place{newPlace(t, "35223", "Mairie de Plélan-le-Grand"), newPlace(t, "35037", "Atelier numérique")}
		if _, err := a.InsertPlaces(ctx, more, store.Write{Actor: place.Actor{Kind: place.ActorImport}}); err != nil {
			t.Fatal(err)
		}
		if got := list(b, ""); !reflect.DeepEqual(got, []string{"Atelier numérique", "Bibliothèque de Paimpont", "Mairie de Plélan-le-Grand"}) {
			t.Errorf("after bulk insert, list = %v", got)
		}
		p.Status = place.StatusGone
		if err := a.UpdatePlace(ctx, p, store.Write{Actor: place.Actor{Kind: place.ActorCampaign}}); err != nil {
			t.Fatal(err)
		}
		if got := list(b, ""); len(got) != 2 {
			t.Errorf("a place that no longer exists is still public: %v", got)
		}
		if _, err := b.GetPublicPlace(ctx, p.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetPublicPlace of a gone place = %v", err)
		}
	})
}

func TestPublicPointsAndFilters(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		a := newPlace(t, "35211", "Médiathèque de Paimpont")
		b := newPlace(t, "35223", "Intermédiaire numérique") // "medi" inside a word must not match
		c := newPlace(t, "75111", "Espace public numérique")
		c.HasCoords = false
		if _, err := st.InsertPlaces(ctx, []*place.Place{a, b, c}, store.Write{Actor: place.Actor{Kind: place.ActorImport}}); err != nil {
			t.Fatal(err)
		}
		var pts []store.Point
		total, err := st.PublicPoints(ctx, store.PlaceFilter{Limit: 10}, func(p *store.Point) { pts = append(pts, *p) })
		if err != nil || total != 2 || len(pts) != 2 {
			t.Fatalf("points: %d %v %v (a place without position is not a point)", total, pts, err)
		}
		page, _ := st.ListPublicPlaces(ctx, store.PlaceFilter{Q: "médi", Limit: 10})
		if page.Total != 1 || page.Places[0].ID != a.ID {
			t.Errorf("search medi = %+v", page)
		}
		page, _ = st.ListPublicPlaces(ctx, store.PlaceFilter{EPCI: "200054781", Limit: 10})
		if page.Total != 1 || page.Places[0].ID != c.ID {
			t.Errorf("Paris arrondissement not in the Métropole du Grand Paris: %+v", page)
		}
		page, _ = st.ListPublicPlaces(ctx, store.PlaceFilter{Limit: 1, Offset: 1})
		if page.Total != 3 || len(page.Places) != 1 || page.Places[0].ID != b.ID {
			t.Errorf("offset paging: %+v", page)
		}
	})
}
