package web

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"portrea/internal/store"
)

// readyz answers 200 when this instance can serve: the database answers
// and carries every migration this program knows. /healthz, the liveness
// probe, only asks the database to answer.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Cache-Control", "no-store")
	if err := s.st.Ping(ctx); err != nil {
		s.log.Error("readyz: database", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"etat": "indisponible", "raison": "base de données injoignable"})
		return
	}
	if err := s.st.Ready(ctx); err != nil {
		s.log.Error("readyz: migrations", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"etat": "indisponible", "raison": "migrations de la base non appliquées"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"etat": "pret"})
}

// geocoderProbe is the address the health page asks the geocoder for.
const geocoderProbe = "20 avenue de Ségur 75007 Paris"

type healthView struct {
	layoutView
	store.Health
	SMTP          bool
	GeocoderURL   string
	GeocoderOK    bool
	ImportsActive int // previews being computed
	ImportsFailed int
	Waiting       int // campaign messages
	Sending       int
	Failed        int
	Instance      string // this process, in the holders' list
}

// santePage shows the hub the state of the background work: the sender,
// the geocoder, the campaign queue, the imports and the snapshots.
func (s *Server) santePage(w http.ResponseWriter, r *http.Request, sess *session) {
	h, err := s.st.Health(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := healthView{layoutView: s.bo(sess, "Santé", "sante"), Health: h, SMTP: s.cfg.SMTPURL != "",
		GeocoderURL:   redactURL(s.cfg.GeocoderURL),
		ImportsActive: h.Imports[store.ImportReading],
		ImportsFailed: h.Imports[store.ImportFailed] + h.Imports[store.ImportInterrupted],
		Waiting:       h.CampaignMessages[store.MessageWaiting],
		Sending:       h.CampaignMessages[store.MessageSending],
		Failed:        h.CampaignMessages[store.MessageFailed],
		Instance:      s.st.Instance(),
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if _, err := s.geo.Search(ctx, geocoderProbe, 1); err != nil {
		s.log.Warn("santé: géocodeur", "err", err)
	} else {
		v.GeocoderOK = true
	}
	s.render(w, r, http.StatusOK, "bo_sante", v)
}

// redactURL hides a password a URL may carry.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Redacted()
}
