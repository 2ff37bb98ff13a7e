package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"portrea/internal/account"
	"portrea/internal/census"
	"portrea/internal/place"
	"portrea/internal/store"
)

// importJob is an import's work in this process: its preview or commit
// running in the background, its progress, and the plan a person reviews.
// The database keeps the file and the outcome; a job lost in a restart is
// run again from the stored file.
type importJob struct {
	mu      sync.Mutex
	running bool
	stage   string
	done    int
	total   int
	file    *census.File
	plan    *census.Plan
	err     error // French for the person when a *census.FileError
	result  *store.ImportResult
	touched time.Time
}

func (j *importJob) progress(stage string, done, total int) {
	j.mu.Lock()
	j.stage, j.done, j.total = stage, done, total
	j.mu.Unlock()
}

// state is where the job stands.
func (j *importJob) state() importState {
	j.mu.Lock()
	defer j.mu.Unlock()
	return importState{Running: j.running, Stage: j.stage, Done: j.done, Total: j.total}
}

// importJobs holds the jobs of this process. Plans of large files take
// memory: only the most recent ones are kept.
type importJobs struct {
	mu   sync.Mutex
	byID map[string]*importJob
}

const maxImportJobs = 6

func (js *importJobs) get(id string) *importJob {
	js.mu.Lock()
	defer js.mu.Unlock()
	return js.byID[id]
}

// putIfAbsent keeps j as the job of id unless another request of this
// process was quicker; it returns the job kept and whether it is j.
func (js *importJobs) putIfAbsent(id string, j *importJob) (*importJob, bool) {
	js.mu.Lock()
	if cur := js.byID[id]; cur != nil {
		js.mu.Unlock()
		return cur, false
	}
	js.mu.Unlock()
	js.put(id, j)
	return j, true
}

func (js *importJobs) put(id string, j *importJob) {
	js.mu.Lock()
	defer js.mu.Unlock()
	if js.byID == nil {
		js.byID = map[string]*importJob{}
	}
	j.touched = time.Now()
	js.byID[id] = j
	for len(js.byID) > maxImportJobs {
		oldest := ""
		for k, v := range js.byID {
			v.mu.Lock()
			busy := v.running
			v.mu.Unlock()
			if !busy && k != id && (oldest == "" || v.touched.Before(js.byID[oldest].touched)) {
				oldest = k
			}
		}
		if oldest == "" {
			return
		}
		delete(js.byID, oldest)
	}
}

func (s *Server) importer() *census.Importer {
	return &census.Importer{Store: s.st, Ref: s.ref, Geocoder: s.geo, Now: s.now}
}

type censusView struct {
	layoutView
	Territories []option
	Imports     []importRow
	Error       string
	MaxSize     int
}

type importRow struct {
	*store.Import
	Territory   string
	StatusLabel string
}

var importStatusLabels = map[string]string{
	store.ImportReading:     "aperçu en cours",
	store.ImportColumns:     "colonnes à associer",
	store.ImportPreviewed:   "aperçu prêt, à valider",
	store.ImportCommitted:   "validé",
	store.ImportFailed:      "échec",
	store.ImportInterrupted: "interrompu",
}

// censusPage is the census home: the template to download, the upload
// form, and the latest imports.
func (s *Server) censusPage(w http.ResponseWriter, r *http.Request, sess *session) {
	s.renderCensus(w, r, sess, http.StatusOK, "")
}

func (s *Server) renderCensus(w http.ResponseWriter, r *http.Request, sess *session, status int, errMsg string) {
	v := censusView{layoutView: s.bo(sess, "Recensement", "recensement"), Error: errMsg, MaxSize: census.MaxFileSize >> 20}
	codes, err := s.territoriesOf(r, sess.User)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, c := range codes {
		v.Territories = append(v.Territories, option{Value: c, Label: s.epciName(c), Selected: c == r.PostFormValue("epci")})
	}
	var scope []string
	if !isHubUser(sess) {
		scope = codes
	}
	ims, err := s.st.Imports(r.Context(), scope, 20)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, im := range ims {
		v.Imports = append(v.Imports, importRow{Import: im, Territory: s.epciName(im.EPCI), StatusLabel: importStatusLabels[im.Status]})
	}
	s.render(w, r, status, "bo_census", v)
}

func isHubUser(sess *session) bool { return sess.User.Role == account.RoleHub }

// notFoundPage answers for what does not exist or is not the user's.
func (s *Server) notFoundPage(w http.ResponseWriter, r *http.Request, sess *session) {
	s.render(w, r, http.StatusNotFound, "error", errorView{s.bo(sess, "Introuvable", ""), "Cette page n'existe pas ou concerne un territoire qui ne vous est pas confié."})
}

// censusTemplate sends the blank census workbook of a territory.
func (s *Server) censusTemplate(w http.ResponseWriter, r *http.Request, sess *session) {
	epci := r.PathValue("epci")
	e, ok := s.ref.EPCI(epci)
	if !ok || !sess.User.CanSee(epci) {
		s.notFoundPage(w, r, sess)
		return
	}
	extra, err := s.st.ExtraFields(r.Context(), epci)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var communes []string
	for _, c := range s.ref.CommunesOfEPCI(epci) {
		communes = append(communes, census.CommuneChoice(c.Nom, c.Code))
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	name := fmt.Sprintf("%s_modele-recensement_%s.xlsx", s.now().In(place.Paris).Format("2006-01-02"), strings.Join(place.SearchWords(e.Nom), "-"))
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	err = census.WriteWorkbook(w, census.Workbook{Territory: e.Nom, Columns: census.Layout(extra, communes), Example: true, Generated: s.now()})
	if err != nil {
		s.log.Error("census template", "epci", epci, "err", err)
	}
}

// uploadImport receives a file, checks it can be read, and starts its
// preview (or asks for the column mapping first).
func (s *Server) uploadImport(w http.ResponseWriter, r *http.Request, sess *session) {
	epci := r.PostFormValue("epci")
	if _, ok := s.ref.EPCI(epci); !ok || !sess.User.CanSee(epci) {
		s.renderCensus(w, r, sess, http.StatusUnprocessableEntity, "Choisissez le territoire du fichier.")
		return
	}
	mode := census.ModeImport
	if r.PostFormValue("mode") == census.ModePrefill {
		mode = census.ModePrefill
	}
	file, header, err := r.FormFile("fichier")
	if err != nil {
		s.renderCensus(w, r, sess, http.StatusUnprocessableEntity, "Choisissez le fichier à importer.")
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, census.MaxFileSize+1))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	rec, f, err := s.importer().Receive(r.Context(), header.Filename, data, epci, sess.User.ID, mode)
	var fe *census.FileError
	if errors.As(err, &fe) {
		s.renderCensus(w, r, sess, http.StatusUnprocessableEntity, "Fichier refusé, rien n'a été enregistré : "+fe.Reason)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.audit(r, sess.User.Email, "import reçu", rec.ID, fmt.Sprintf("%s (%s, %s)", rec.FileName, s.epciName(epci), mode))
	d, _, err := s.importer().Detect(r.Context(), epci, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	job := &importJob{file: f}
	s.jobs.put(rec.ID, job)
	if d.Format == census.FormatOther && !d.Saved {
		// Columns mapped and kept before need no second look.
		if err := s.st.SetImportStatus(r.Context(), rec.ID, store.ImportColumns, ""); err != nil {
			s.serverError(w, r, err)
			return
		}
		http.Redirect(w, r, "/gestion/recensement/imports/"+rec.ID+"/colonnes", http.StatusSeeOther)
		return
	}
	s.startPreview(rec, job, nil)
	http.Redirect(w, r, "/gestion/recensement/imports/"+rec.ID, http.StatusSeeOther)
}

// startPreview computes the plan in the background.
func (s *Server) startPreview(rec *store.Import, job *importJob, mapping []string) {
	job.mu.Lock()
	job.running, job.plan, job.err, job.stage, job.done, job.total = true, nil, nil, census.StageRead, 0, job.file.Len()
	job.mu.Unlock()
	s.bg.Go(func() {
		stop := s.beat(rec.ID, job)
		pl, err := s.importer().Preview(s.ctx, rec, job.file, mapping, job.progress)
		stop()
		if err != nil {
			var fe *census.FileError
			switch {
			case errors.As(err, &fe):
			case s.ctx.Err() != nil:
				// The server is stopping: the import waits for a new run.
				s.st.SetImportStatus(context.WithoutCancel(s.ctx), rec.ID, store.ImportInterrupted, "Le serveur s'est arrêté pendant l'aperçu : rien n'a été enregistré. Relancez l'aperçu.")
			default:
				s.log.Error("import preview", "import", rec.ID, "err", err)
				s.st.SetImportStatus(context.WithoutCancel(s.ctx), rec.ID, store.ImportFailed, "L'aperçu a échoué : rien n'a été enregistré. Réessayez ; si l'erreur revient, signalez-la.")
			}
		}
		job.mu.Lock()
		job.running, job.plan, job.err = false, pl, err
		job.mu.Unlock()
	})
}

// importBeat is how often a running preview tells the other instances
// where it stands (and that its process is alive).
const importBeat = 2 * time.Second

// beat records the job's progress in the database until the returned stop
// is called.
func (s *Server) beat(id string, job *importJob) (stop func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(s.ctx))
	done := make(chan struct{})
	s.bg.Go(func() {
		defer close(done)
		t := time.NewTicker(importBeat)
		defer t.Stop()
		for {
			if err := s.st.ImportBeat(ctx, id, job.state().encode()); err != nil && ctx.Err() == nil {
				s.log.Warn("import progress", "import", id, "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-s.ctx.Done():
				return
			case <-t.C:
			}
		}
	})
	return func() { cancel(); <-done }
}

// importState is where an import's background work stands, in this
// process or in another instance (then read from the database).
type importState struct {
	Running bool   `json:"-"`
	Stage   string `json:"etape"`
	Done    int    `json:"fait"`
	Total   int    `json:"total"`
}

func (st importState) encode() string {
	b, _ := json.Marshal(st)
	return string(b)
}

// workOf is the state of an import's work and this process's job for it.
// A preview recorded by another instance has its plan in that process
// only: this one computes it again from the stored file, so that the
// person can review and commit whichever instance answers.
func (s *Server) workOf(rec *store.Import, job *importJob) (*importJob, importState, error) {
	if job == nil {
		var remote importState
		json.Unmarshal([]byte(rec.Progress), &remote)
		elsewhere := rec.Status == store.ImportReading ||
			rec.Status == store.ImportPreviewed && rec.Alive(s.st.Now()) && remote.Stage == census.StageWrite
		if elsewhere {
			remote.Running = true
			return nil, remote, nil
		}
		if rec.Status != store.ImportPreviewed {
			return nil, importState{}, nil
		}
		job, fresh, err := s.reloadJob(s.ctx, rec)
		if err != nil {
			return nil, importState{}, err
		}
		if fresh {
			s.startPreview(rec, job, storedMapping(rec))
		}
		return job, job.state(), nil
	}
	return job, job.state(), nil
}

// loadImport finds an import the user may see, and its job (nil when this
// process has none). A preview whose process stopped is marked interrupted.
func (s *Server) loadImport(w http.ResponseWriter, r *http.Request, sess *session) (*store.Import, *importJob, bool) {
	rec, err := s.st.GetImport(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || err == nil && !sess.User.CanSee(rec.EPCI) {
		s.notFoundPage(w, r, sess)
		return nil, nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, nil, false
	}
	job := s.jobs.get(rec.ID)
	if job == nil && rec.Status == store.ImportReading && !rec.Alive(s.st.Now()) {
		if _, err := s.st.InterruptImports(r.Context()); err != nil {
			s.serverError(w, r, err)
			return nil, nil, false
		}
		if rec, err = s.st.GetImport(r.Context(), rec.ID); err != nil {
			s.serverError(w, r, err)
			return nil, nil, false
		}
	}
	return rec, job, true
}

// reloadJob reads an import's stored file again (after a restart, or in
// an instance that did not receive it). fresh is false when another
// request of this process was quicker: its job is returned.
func (s *Server) reloadJob(ctx context.Context, rec *store.Import) (job *importJob, fresh bool, err error) {
	data, err := s.st.ImportContent(ctx, rec.ID)
	if err != nil {
		return nil, false, err
	}
	f, err := census.ReadFile(rec.FileName, data)
	if err != nil {
		return nil, false, err
	}
	job, fresh = s.jobs.putIfAbsent(rec.ID, &importJob{file: f})
	return job, fresh, nil
}

// openJob is loadImport for the actions that work on the file again: a
// committed import sends back to its page, and the stored file is read
// when this process holds no job for it.
func (s *Server) openJob(w http.ResponseWriter, r *http.Request, sess *session) (*store.Import, *importJob, bool) {
	rec, job, ok := s.loadImport(w, r, sess)
	if !ok {
		return nil, nil, false
	}
	if rec.Status == store.ImportCommitted {
		http.Redirect(w, r, "/gestion/recensement/imports/"+rec.ID, http.StatusSeeOther)
		return nil, nil, false
	}
	if job == nil {
		var err error
		if job, _, err = s.reloadJob(r.Context(), rec); err != nil {
			s.serverError(w, r, err)
			return nil, nil, false
		}
	}
	return rec, job, true
}

// storedMapping is the column mapping an import's preview used.
func storedMapping(rec *store.Import) []string {
	var mapping []string
	if rec.Mapping != "" {
		json.Unmarshal([]byte(rec.Mapping), &mapping)
	}
	return mapping
}

type importView struct {
	layoutView
	Import      *store.Import
	Territory   string
	StatusLabel string
	Running     bool
	Stage       string
	Done, Total int
	Percent     int
	Error       string
	Plan        *census.Plan
	Format      string
	Described   string
	Counts      []actionCount
	Filter      string
	Rows        []census.RowPlan
	More        int
	Result      *store.ImportResult
	CanCommit   bool
	CanRerun    bool
	HasReport   bool
	CommonNotes []census.NoteCount
	// ActionLabels names the actions in the rows' table.
	ActionLabels map[census.Action]string
}

type actionCount struct {
	Action census.Action
	Label  string
	N      int
	Active bool
}

var stageLabels = map[string]string{
	census.StageRead:    "Lecture des lignes",
	census.StageGeocode: "Géocodage des adresses",
	census.StageMatch:   "Rapprochement avec les lieux connus",
	census.StageWrite:   "Enregistrement",
}

const previewRows = 200

// importPage shows an import: its progress while it runs, then the
// preview row by row, or its outcome.
func (s *Server) importPage(w http.ResponseWriter, r *http.Request, sess *session) {
	rec, job, ok := s.loadImport(w, r, sess)
	if !ok {
		return
	}
	v := importView{layoutView: s.bo(sess, "Import « "+rec.FileName+" »", "recensement"), Import: rec, Territory: s.epciName(rec.EPCI),
		StatusLabel: importStatusLabels[rec.Status], Filter: r.URL.Query().Get("action"), ActionLabels: census.ActionLabels}
	job, state, err := s.workOf(rec, job)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Running, v.Stage, v.Done, v.Total = state.Running, stageLabels[state.Stage], state.Done, state.Total
	if job != nil {
		job.mu.Lock()
		v.Plan, v.Result = job.plan, job.result
		var fe *census.FileError
		if errors.As(job.err, &fe) {
			v.Error = fe.Reason
		}
		job.mu.Unlock()
	}
	if v.Total > 0 {
		v.Percent = v.Done * 100 / v.Total
	}
	if v.Plan != nil {
		v.Format = census.FormatLabels[v.Plan.Detected.Format]
		v.Described = v.Plan.File.Describe()
		for _, a := range census.Actions {
			if n := v.Plan.Counts[a]; n > 0 {
				v.Counts = append(v.Counts, actionCount{a, census.ActionLabels[a], n, string(a) == v.Filter})
			}
		}
		if v.Filter == "" {
			// What needs a look comes first.
			for _, a := range []census.Action{census.ActionError, census.ActionDuplicate, census.ActionUpdate, census.ActionCreate} {
				if v.Plan.Counts[a] > 0 {
					v.Filter = string(a)
					break
				}
			}
			for i := range v.Counts {
				v.Counts[i].Active = string(v.Counts[i].Action) == v.Filter
			}
		}
		for _, rp := range v.Plan.Rows {
			if string(rp.Action) != v.Filter {
				continue
			}
			if len(v.Rows) == previewRows {
				v.More++
				continue
			}
			v.Rows = append(v.Rows, rp)
		}
		v.CommonNotes = v.Plan.CommonNotes(15)
		v.HasReport = v.Plan.Counts[census.ActionError]+v.Plan.Counts[census.ActionDuplicate] > 0
		v.CanCommit = rec.Status == store.ImportPreviewed && !v.Running && v.Plan.Counts[census.ActionCreate]+v.Plan.Counts[census.ActionUpdate] > 0
	}
	v.CanRerun = !v.Running && v.Plan == nil && (rec.Status == store.ImportPreviewed || rec.Status == store.ImportInterrupted)
	s.render(w, r, http.StatusOK, "bo_import", v)
}

// importProgress answers the progress poll of the import page.
func (s *Server) importProgress(w http.ResponseWriter, r *http.Request, sess *session) {
	rec, job, ok := s.loadImport(w, r, sess)
	if !ok {
		return
	}
	out := map[string]any{"statut": rec.Status, "en_cours": false}
	_, state, err := s.workOf(rec, job)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if state.Running || state.Stage != "" {
		out["en_cours"], out["etape"], out["fait"], out["total"] = state.Running, stageLabels[state.Stage], state.Done, state.Total
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(out)
}

// rerunPreview runs the preview again from the stored file.
func (s *Server) rerunPreview(w http.ResponseWriter, r *http.Request, sess *session) {
	rec, job, ok := s.openJob(w, r, sess)
	if !ok {
		return
	}
	if !job.state().Running {
		s.st.SetImportStatus(r.Context(), rec.ID, store.ImportReading, "")
		rec.Status = store.ImportReading
		s.startPreview(rec, job, storedMapping(rec))
	}
	http.Redirect(w, r, "/gestion/recensement/imports/"+rec.ID, http.StatusSeeOther)
}

// commitImport writes the previewed rows in one transaction, in the
// background so that the person sees its progress.
func (s *Server) commitImport(w http.ResponseWriter, r *http.Request, sess *session) {
	rec, job, ok := s.loadImport(w, r, sess)
	if !ok {
		return
	}
	if job == nil || rec.Status != store.ImportPreviewed {
		http.Redirect(w, r, "/gestion/recensement/imports/"+rec.ID, http.StatusSeeOther)
		return
	}
	job.mu.Lock()
	if job.running || job.plan == nil {
		job.mu.Unlock()
		http.Redirect(w, r, "/gestion/recensement/imports/"+rec.ID, http.StatusSeeOther)
		return
	}
	pl := job.plan
	creates, updates := pl.Writes()
	job.running, job.stage, job.done, job.total = true, census.StageWrite, 0, len(creates)+len(updates)
	job.mu.Unlock()
	// The other instances show the commit running instead of computing
	// the preview again.
	state := importState{Stage: census.StageWrite, Total: len(creates) + len(updates)}
	if err := s.st.MarkImportCommitting(r.Context(), rec.ID, state.encode()); err != nil {
		s.log.Warn("import committing", "import", rec.ID, "err", err)
	}
	actor := place.Actor{Kind: place.ActorImport, Name: sess.User.Email + " — " + rec.FileName}
	s.bg.Go(func() {
		res, err := s.importer().Commit(s.ctx, rec, pl, actor)
		job.mu.Lock()
		defer job.mu.Unlock()
		job.running = false
		if err != nil {
			switch {
			case errors.Is(err, store.ErrImportDone):
			case errors.Is(err, store.ErrConflict):
				// The plan is stale: the person runs the preview again.
				job.plan = nil
				job.err = &census.FileError{Reason: "Des lieux ont été modifiés depuis l'aperçu : rien n'a été écrit. Relancez l'aperçu pour tenir compte de ces modifications."}
			default:
				s.log.Error("import commit", "import", rec.ID, "err", err)
				job.err = &census.FileError{Reason: "L'enregistrement a échoué : rien n'a été écrit. Vous pouvez réessayer."}
			}
			return
		}
		job.done, job.result = job.total, &res
	})
	s.audit(r, sess.User.Email, "import validé", rec.ID, fmt.Sprintf("%s (%s)", rec.FileName, s.epciName(rec.EPCI)))
	http.Redirect(w, r, "/gestion/recensement/imports/"+rec.ID, http.StatusSeeOther)
}

// importReport sends the rows in error and the duplicates as CSV.
func (s *Server) importReport(w http.ResponseWriter, r *http.Request, sess *session) {
	rec, _, ok := s.loadImport(w, r, sess)
	if !ok {
		return
	}
	b, err := s.st.ImportErrorReport(r.Context(), rec.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(b) == 0 {
		s.notFoundPage(w, r, sess)
		return
	}
	name := strings.TrimSuffix(rec.FileName, fileExt(rec.FileName)) + "_lignes-non-importees.csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(name, `"`, "")+`"`)
	w.Write(b)
}

func fileExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}

type mappingView struct {
	layoutView
	Import  *store.Import
	Columns []mappingColumn
	Targets []census.Target
	Error   string
}

type mappingColumn struct {
	Index   int
	Header  string
	Samples []string
	Key     string
}

// mappingPage asks which field each column of an unknown table holds.
func (s *Server) mappingPage(w http.ResponseWriter, r *http.Request, sess *session) {
	s.renderMapping(w, r, sess, http.StatusOK, nil, "")
}

func (s *Server) renderMapping(w http.ResponseWriter, r *http.Request, sess *session, status int, chosen []string, errMsg string) {
	rec, job, ok := s.loadImport(w, r, sess)
	if !ok {
		return
	}
	if job == nil {
		var err error
		if job, _, err = s.reloadJob(r.Context(), rec); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	d, extra, err := s.importer().Detect(r.Context(), rec.EPCI, job.file)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if chosen == nil {
		chosen = d.Mapping
	}
	v := mappingView{layoutView: s.bo(sess, "Correspondance des colonnes", "recensement"), Import: rec, Targets: census.Targets(extra), Error: errMsg}
	for i, h := range job.file.Header {
		c := mappingColumn{Index: i, Header: h, Key: chosen[i]}
		for r := range job.file.Len() {
			row := job.file.Row(r)
			if i < len(row) && strings.TrimSpace(row[i]) != "" && !slices.Contains(c.Samples, row[i]) {
				c.Samples = append(c.Samples, row[i])
				if len(c.Samples) == 3 {
					break
				}
			}
		}
		v.Columns = append(v.Columns, c)
	}
	s.render(w, r, status, "bo_mapping", v)
}

// saveMapping takes the confirmed mapping, keeps it for next time if
// asked, and starts the preview.
func (s *Server) saveMapping(w http.ResponseWriter, r *http.Request, sess *session) {
	rec, job, ok := s.openJob(w, r, sess)
	if !ok {
		return
	}
	extra, err := s.st.ExtraFields(r.Context(), rec.EPCI)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	mapping := make([]string, len(job.file.Header))
	used := map[string]string{}
	for i := range mapping {
		k := r.PostFormValue("col" + strconv.Itoa(i))
		if !census.ValidKey(k, extra) {
			s.renderMapping(w, r, sess, http.StatusUnprocessableEntity, mapping, "Choix inconnu pour la colonne « "+job.file.Header[i]+" ».")
			return
		}
		if prev, dup := used[k]; dup && k != "" && !census.ListKey(k) {
			s.renderMapping(w, r, sess, http.StatusUnprocessableEntity, mapping, fmt.Sprintf("Les colonnes « %s » et « %s » sont associées au même champ : gardez-en une seule.", prev, job.file.Header[i]))
			return
		}
		used[k] = job.file.Header[i]
		mapping[i] = k
	}
	if !slices.Contains(mapping, "nom") {
		s.renderMapping(w, r, sess, http.StatusUnprocessableEntity, mapping, "Indiquez quelle colonne contient le nom du lieu.")
		return
	}
	if r.PostFormValue("retenir") != "" {
		if err := s.st.SaveImportMapping(r.Context(), rec.EPCI, census.Signature(job.file.Header), census.MappingByName(job.file.Header, mapping)); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if !job.state().Running {
		s.st.SetImportStatus(r.Context(), rec.ID, store.ImportReading, "")
		rec.Status = store.ImportReading
		s.startPreview(rec, job, mapping)
	}
	http.Redirect(w, r, "/gestion/recensement/imports/"+rec.ID, http.StatusSeeOther)
}
