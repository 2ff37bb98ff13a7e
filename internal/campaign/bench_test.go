package campaign_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"portrea/internal/campaign"
	"portrea/internal/demo"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

// BenchmarkStartCampaign20k creates a campaign for a territory of 20,000
// places with an address: recipients and their queued invitations, in one
// transaction.
func BenchmarkStartCampaign20k(b *testing.B) {
	ref := territory.Default()
	communes := ref.CommunesOfEPCI(broceliande)
	ps := demo.Synthetic(ref, 20000, 9)
	for i, p := range ps {
		c := communes[i%len(communes)]
		p.CodeInsee, p.Commune, p.CodePostal = c.Code, c.Nom, c.CodesPostaux[0]
		p.Derive(ref)
		p.ContactEmail = fmt.Sprintf("lieu-%05d@structures.example.org", i)
	}
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			st := e.Open(b)
			ctx := context.Background()
			if _, err := st.InsertPlaces(ctx, ps, store.Write{Actor: place.Actor{Kind: place.ActorSystem}}); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				c := &store.Campaign{EPCI: broceliande, Origin: store.OriginReferent}
				n, err := campaign.Start(ctx, st, ref, c, campaign.Selection{}, time.Now())
				if err != nil || n != len(ps) {
					b.Fatal(n, err)
				}
			}
		})
	}
}
