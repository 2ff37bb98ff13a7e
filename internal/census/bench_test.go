package census_test

import (
	"bytes"
	"context"
	"runtime"
	"testing"

	"portrea/internal/census"
	"portrea/internal/demo"
	"portrea/internal/geocode"
	"portrea/internal/geocode/geocodetest"
	"portrea/internal/place"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

// censusWorkbook is a filled census workbook of n plausible places of
// one territory, without coordinates, as a hub would send it.
func censusWorkbook(b *testing.B, n int) []byte {
	ref := territory.Default()
	communes := ref.CommunesOfEPCI(broceliande)
	places := demo.Synthetic(ref, n, 7)
	var choices []string
	for _, c := range communes {
		choices = append(choices, census.CommuneChoice(c.Nom, c.Code))
	}
	for i, p := range places {
		c := communes[i%len(communes)]
		p.ID, p.CodeInsee, p.Commune, p.CodePostal = "", c.Code, c.Nom, c.CodesPostaux[0]
		p.HasCoords, p.Latitude, p.Longitude = false, 0, 0
	}
	var buf bytes.Buffer
	err := census.WriteWorkbook(&buf, census.Workbook{Territory: "CC Brocéliande Communauté", Columns: census.Layout(nil, choices), Example: true,
		Places: func(yield func(*place.Place) error) error {
			for _, p := range places {
				if err := yield(p); err != nil {
					return err
				}
			}
			return nil
		}})
	if err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkImport50kXLSX measures a whole import of 50,000 rows: reading
// the workbook, the preview (geocoding every address through the local
// fake's batch endpoint, matching) and the commit, on each engine.
func BenchmarkImport50kXLSX(b *testing.B) {
	data := censusWorkbook(b, 50000)
	ref := territory.Default()
	fake := geocodetest.Start(b)
	fake.Resolve = func(q, citycode string) *geocodetest.Address {
		c, ok := ref.Commune(citycode)
		if !ok {
			return nil
		}
		return &geocodetest.Address{Label: q, Type: "housenumber", Postcode: c.CodesPostaux[0], CityCode: c.Code, City: c.Nom, Lat: c.Lat, Lon: c.Lon}
	}
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			b.ReportMetric(float64(len(data))/(1<<20), "MB-file")
			for b.Loop() {
				b.StopTimer()
				st := e.Open(b)
				b.StartTimer()
				ctx := context.Background()
				im := &census.Importer{Store: st, Ref: ref, Geocoder: geocode.New(fake.URL)}
				rec, f, err := im.Receive(ctx, "recensement.xlsx", data, broceliande, "", census.ModeImport)
				if err != nil {
					b.Fatal(err)
				}
				pl, err := im.Preview(ctx, rec, f, nil, nil)
				if err != nil {
					b.Fatal(err)
				}
				res, err := im.Commit(ctx, rec, pl, place.Actor{Kind: place.ActorImport, Name: "bench"})
				if err != nil {
					b.Fatal(err)
				}
				if res.Created < 45000 {
					b.Fatalf("%s", pl.Summary())
				}
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				b.ReportMetric(float64(ms.HeapSys)/(1<<20), "MB-heap-sys")
				st.Close()
			}
		})
	}
}
