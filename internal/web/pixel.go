package web

import (
	"net/http"

	"portrea/internal/campaign"
)

// transparentGIF is a 1×1 transparent GIF.
var transparentGIF = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// openPixel records that a campaign message was displayed (campaigns
// with open tracking only, which is off by default). It answers the same
// image whatever the link, so that it tells nothing about links.
func (s *Server) openPixel(w http.ResponseWriter, r *http.Request) {
	if l, err := s.st.LinkByToken(r.Context(), campaign.HashLink(r.PathValue("secret"))); err == nil {
		if c, err := s.st.GetCampaign(r.Context(), l.CampaignID); err == nil && c.TrackOpens {
			if err := s.st.MarkOpened(r.Context(), l.CampaignID, l.PlaceID); err != nil {
				s.log.Error("open pixel", "err", err)
			}
		}
	}
	w.Header().Set("Content-Type", "image/gif")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Write(transparentGIF)
}
