package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"portrea/internal/demo"
	"portrea/internal/geoapi/geoapitest"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

// BenchmarkPortrait renders the portrait of an EPCI of 64 communes
// (CA Dinan Agglomération) with 500 places and stored commune outlines,
// as HTML and as PDF, through the server's routes.
func BenchmarkPortrait(b *testing.B) {
	const dinan = "200068989"
	ref := territory.Default()
	communes := ref.CommunesOfEPCI(dinan)
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			st := e.Open(b)
			ctx := context.Background()
			ps := demo.Synthetic(ref, 500, 21)
			for i, p := range ps {
				c := communes[(i*7)%len(communes)]
				p.CodeInsee, p.Commune, p.CodePostal = c.Code, c.Nom, c.CodesPostaux[0]
				p.Latitude, p.Longitude, p.HasCoords = c.Lat+float64(i%9)*0.002, c.Lon+float64(i%7)*0.002, true
				p.Derive(ref)
			}
			if _, err := st.InsertPlaces(ctx, ps, store.Write{Actor: place.Actor{Kind: place.ActorSystem}}); err != nil {
				b.Fatal(err)
			}
			if err := st.SaveDeployment(ctx, &territory.Deployment{EPCI: dinan, Phase: territory.PhaseExploitation}); err != nil {
				b.Fatal(err)
			}
			outlines := map[string]string{}
			for _, c := range communes {
				g, _ := json.Marshal(geoapitest.Outline(c))
				outlines[c.Code] = string(g)
			}
			if err := st.SaveContours(ctx, outlines, testNow); err != nil {
				b.Fatal(err)
			}
			h := newTestServer(b, st, "http://127.0.0.1:1").routes()
			for _, kind := range []struct{ name, path string }{{"html", "/territoires/" + dinan + "/portrait"}, {"pdf", "/territoires/" + dinan + "/portrait.pdf"}} {
				b.Run(kind.name, func(b *testing.B) {
					for b.Loop() {
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, httptest.NewRequest("GET", kind.path, nil))
						if rec.Code != http.StatusOK {
							b.Fatalf("%s: %d", kind.path, rec.Code)
						}
						b.SetBytes(int64(rec.Body.Len()))
					}
				})
			}
		})
	}
}
