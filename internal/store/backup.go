package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ErrNotSQLite is returned by the SQLite-only operations (online backup,
// restore) on PostgreSQL, whose own tools (pg_dump, pg_restore) do it.
var ErrNotSQLite = errors.New("store: not an SQLite database")

// ErrExists is returned when a backup or restore would overwrite a file.
var ErrExists = errors.New("store: file already exists")

// ErrTargetNotEmpty is returned by CopyTo when the target already holds
// places or users: a migration fills an empty database, it never merges.
var ErrTargetNotEmpty = errors.New("store: target database not empty")

// ErrNotBackup is returned when a file is not a PORTREA SQLite database.
var ErrNotBackup = errors.New("store: not a PORTREA SQLite database")

// Backup writes a consistent snapshot of the SQLite database to path while
// the server keeps running (VACUUM INTO reads in one transaction). path
// must not exist.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.d.name != "sqlite" {
		return ErrNotSQLite
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("store: backup %s: %w", path, ErrExists)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("store: backup %s: %w", path, err)
	}
	// The reader pool is query_only, which forbids VACUUM INTO; the writer
	// connection holds the snapshot, delaying writes for its duration.
	if _, err := s.w.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		return fmt.Errorf("store: backup %s: %w", path, err)
	}
	return nil
}

// CheckBackup checks that path is a sound PORTREA SQLite database that
// this program can open: SQLite header, integrity_check, and
// schema_migrations not newer than the program. It returns the schema
// version of the file.
func CheckBackup(ctx context.Context, path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("store: check %s: %w", path, err)
	}
	header := make([]byte, 16)
	_, err = io.ReadFull(f, header)
	f.Close()
	if err != nil || !bytes.Equal(header, []byte("SQLite format 3\x00")) {
		return 0, fmt.Errorf("store: check %s: %w (not SQLite)", path, ErrNotBackup)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return 0, fmt.Errorf("store: check %s: %w", path, err)
	}
	defer db.Close()
	var integrity string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&integrity); err != nil {
		return 0, fmt.Errorf("store: check %s: integrity: %w", path, err)
	}
	if integrity != "ok" {
		return 0, fmt.Errorf("store: check %s: %w (integrity_check: %s)", path, ErrNotBackup, integrity)
	}
	var version, places int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return 0, fmt.Errorf("store: check %s: %w (no schema_migrations: %v)", path, ErrNotBackup, err)
	}
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'places'`).Scan(&places); err != nil || places != 1 || version == 0 {
		return 0, fmt.Errorf("store: check %s: %w (no PORTREA tables)", path, ErrNotBackup)
	}
	ms, err := loadMigrations(sqliteDialect.migrations())
	if err != nil {
		return 0, err
	}
	if version > len(ms) {
		return version, fmt.Errorf("store: check %s: schema version %d, this program knows %d: it is older than the backup", path, version, len(ms))
	}
	return version, nil
}

// Restore checks the backup src and copies it to the SQLite database file
// dst, through a temporary file in dst's directory renamed into place, so
// that dst is never half written. An existing dst is refused unless force;
// its WAL and shared-memory files are then removed, as they belong to the
// replaced database. The server must be stopped: an open connection would
// keep using the old file.
func Restore(ctx context.Context, src, dst string, force bool) error {
	if _, err := CheckBackup(ctx, src); err != nil {
		return err
	}
	if _, err := os.Stat(dst); err == nil && !force {
		return fmt.Errorf("store: restore to %s: %w", dst, ErrExists)
	}
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	defer in.Close()
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".restore-*")
	if err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := io.Copy(tmp, in); err != nil {
		return fmt.Errorf("store: restore: copy: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("store: restore: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(dst + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("store: restore: %w", err)
		}
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	done = true
	return nil
}

// copySkipped are the tables CopyTo leaves behind: the migrations' own
// bookkeeping (the target has it), and volatile state that is rebuilt by
// itself — login sessions (people log in again) and rate-limit windows.
var copySkipped = map[string]bool{"schema_migrations": true, "sessions": true, "rate_limits": true}

// pgColumn is a column of the target, as information_schema describes it.
type pgColumn struct {
	name, dataType string
	serial         bool // identity or sequence default, reset after the copy
}

// CopyTo copies every table of s into dst, an empty PostgreSQL store
// (already migrated by Open), in one transaction on dst. Tables go in
// foreign-key order; each value is converted to the target column's type;
// identity sequences are moved past the copied ids. It returns the number
// of rows copied per table. Sessions and rate limits are not copied.
func (s *Store) CopyTo(ctx context.Context, dst *Store) (map[string]int, error) {
	if dst.d.name != "postgres" {
		return nil, errors.New("store: copy: the target must be PostgreSQL")
	}
	var used bool
	if err := dst.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM places) OR EXISTS (SELECT 1 FROM users)`).Scan(&used); err != nil {
		return nil, fmt.Errorf("store: copy: %w", err)
	}
	if used {
		return nil, ErrTargetNotEmpty
	}
	tables, cols, selfRefs, err := pgSchema(ctx, dst.r)
	if err != nil {
		return nil, fmt.Errorf("store: copy: read target schema: %w", err)
	}
	// One read transaction on the source: a consistent snapshot.
	src, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: copy: %w", err)
	}
	defer src.Rollback()
	counts := map[string]int{}
	err = dst.inTx(ctx, func(tx *sql.Tx) error {
		// Rows the migrations inserted (counters) give way to the source's.
		for i := len(tables) - 1; i >= 0; i-- {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+quoteIdent(tables[i])); err != nil {
				return fmt.Errorf("store: copy: empty %s: %w", tables[i], err)
			}
		}
		for _, t := range tables {
			n, err := copyTable(ctx, src, tx, t, cols[t], selfRefs[t])
			if err != nil {
				return fmt.Errorf("store: copy %s: %w", t, err)
			}
			counts[t] = n
			for _, c := range cols[t] {
				if !c.serial {
					continue
				}
				q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX(%s), 0) + 1, false) FROM %s`, quoteIdent(c.name), quoteIdent(t))
				if _, err := tx.ExecContext(ctx, q, quoteIdent(t), c.name); err != nil {
					return fmt.Errorf("store: copy %s: reset sequence of %s: %w", t, c.name, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}

// pgSchema lists the tables of the current schema of a PostgreSQL
// database in foreign-key order (referenced tables first), their columns,
// and per table the columns referencing the table itself.
func pgSchema(ctx context.Context, db *sql.DB) ([]string, map[string][]pgColumn, map[string][]string, error) {
	cols := map[string][]pgColumn{}
	rows, err := db.QueryContext(ctx, `
		SELECT c.table_name, c.column_name, c.data_type,
		       c.is_identity = 'YES' OR COALESCE(c.column_default, '') LIKE 'nextval(%'
		FROM information_schema.columns c
		JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.is_generated = 'NEVER'
		ORDER BY c.table_name, c.ordinal_position`)
	if err != nil {
		return nil, nil, nil, err
	}
	for rows.Next() {
		var t string
		var c pgColumn
		if err := rows.Scan(&t, &c.name, &c.dataType, &c.serial); err != nil {
			rows.Close()
			return nil, nil, nil, err
		}
		if !copySkipped[t] {
			cols[t] = append(cols[t], c)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, nil, nil, err
	}
	deps := map[string][]string{}
	selfRefs := map[string][]string{}
	rows, err = db.QueryContext(ctx, `
		SELECT cl.relname, fc.relname, a.attname
		FROM pg_constraint c
		JOIN pg_class cl ON cl.oid = c.conrelid
		JOIN pg_class fc ON fc.oid = c.confrelid
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
		WHERE c.contype = 'f' AND cl.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())`)
	if err != nil {
		return nil, nil, nil, err
	}
	for rows.Next() {
		var t, ref, col string
		if err := rows.Scan(&t, &ref, &col); err != nil {
			rows.Close()
			return nil, nil, nil, err
		}
		if t == ref {
			selfRefs[t] = append(selfRefs[t], col)
		} else {
			deps[t] = append(deps[t], ref)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, nil, nil, err
	}
	names := make([]string, 0, len(cols))
	for t := range cols {
		names = append(names, t)
	}
	sort.Strings(names)
	var order []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(t string) error
	visit = func(t string) error {
		switch state[t] {
		case 1:
			return fmt.Errorf("foreign-key cycle through %s", t)
		case 2:
			return nil
		}
		state[t] = 1
		for _, r := range deps[t] {
			if _, ok := cols[r]; ok {
				if err := visit(r); err != nil {
					return err
				}
			}
		}
		state[t] = 2
		order = append(order, t)
		return nil
	}
	for _, t := range names {
		if err := visit(t); err != nil {
			return nil, nil, nil, err
		}
	}
	return order, cols, selfRefs, nil
}

// copyTable copies the rows of table t from src into dst, the columns both
// have. Self-referencing columns are written as NULL first and set once
// the whole table is there, so that row order does not matter.
func copyTable(ctx context.Context, src, dst *sql.Tx, t string, target []pgColumn, selfRefs []string) (int, error) {
	probe, err := src.QueryContext(ctx, `SELECT * FROM `+quoteIdent(t)+` WHERE 1 = 0`)
	if err != nil {
		return 0, nil // a table the source does not have: nothing to copy
	}
	have, err := probe.Columns()
	probe.Close()
	if err != nil {
		return 0, err
	}
	present := map[string]bool{}
	for _, c := range have {
		present[strings.ToLower(c)] = true
	}
	var cols []pgColumn
	var names []string
	identity := false
	for _, c := range target {
		if present[c.name] {
			cols = append(cols, c)
			names = append(names, quoteIdent(c.name))
			identity = identity || c.serial
		}
	}
	if len(cols) == 0 {
		return 0, nil
	}
	isSelfRef := map[int]bool{}
	for i, c := range cols {
		for _, r := range selfRefs {
			if c.name == r {
				isSelfRef[i] = true
			}
		}
	}
	rows, err := src.QueryContext(ctx, `SELECT `+strings.Join(names, ", ")+` FROM `+quoteIdent(t))
	if err != nil {
		return 0, err
	}
	defer rows.Close()

	insert := `INSERT INTO ` + quoteIdent(t) + ` (` + strings.Join(names, ", ") + `)`
	if identity {
		insert += ` OVERRIDING SYSTEM VALUE`
	}
	perBatch := max(1, min(200, 60000/len(cols)))
	var batch []any
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		var q strings.Builder
		q.WriteString(insert)
		q.WriteString(` VALUES `)
		for r := 0; r < len(batch)/len(cols); r++ {
			if r > 0 {
				q.WriteString(", ")
			}
			q.WriteByte('(')
			for c := range cols {
				if c > 0 {
					q.WriteString(", ")
				}
				fmt.Fprintf(&q, "$%d", r*len(cols)+c+1)
			}
			q.WriteByte(')')
		}
		_, err := dst.ExecContext(ctx, q.String(), batch...)
		batch = batch[:0]
		return err
	}
	var later [][]any // the full converted rows with self-references
	n := 0
	raw := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		row := make([]any, len(cols))
		deferred := false
		for i, c := range cols {
			v, err := convertValue(raw[i], c.dataType)
			if err != nil {
				return n, fmt.Errorf("row %d, column %s: %w", n+1, c.name, err)
			}
			row[i] = v
			if isSelfRef[i] && v != nil {
				deferred = true
			}
		}
		if deferred {
			later = append(later, row)
			for i := range cols {
				if isSelfRef[i] {
					batch = append(batch, nil)
				} else {
					batch = append(batch, row[i])
				}
			}
		} else {
			batch = append(batch, row...)
		}
		n++
		if len(batch) >= perBatch*len(cols) {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	if err := flush(); err != nil {
		return n, err
	}
	if len(later) > 0 {
		if err := setSelfRefs(ctx, dst, t, cols, isSelfRef, later); err != nil {
			return n, err
		}
	}
	return n, nil
}

// setSelfRefs writes the self-referencing values held back by copyTable,
// finding each row by all its other values' primary key.
func setSelfRefs(ctx context.Context, dst *sql.Tx, t string, cols []pgColumn, isSelfRef map[int]bool, rows [][]any) error {
	var pk []string
	r, err := dst.QueryContext(ctx, `
		SELECT a.attname FROM pg_index i
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
		WHERE i.indrelid = $1::regclass AND i.indisprimary`, quoteIdent(t))
	if err != nil {
		return err
	}
	for r.Next() {
		var c string
		if err := r.Scan(&c); err != nil {
			r.Close()
			return err
		}
		pk = append(pk, c)
	}
	if err := r.Close(); err != nil {
		return err
	}
	index := map[string]int{}
	for i, c := range cols {
		index[c.name] = i
	}
	if len(pk) == 0 {
		return fmt.Errorf("no primary key to set the self-references of %s", t)
	}
	var set, where []string
	var setIdx, whereIdx []int
	for i, c := range cols {
		if isSelfRef[i] {
			setIdx = append(setIdx, i)
			set = append(set, fmt.Sprintf("%s = $%d", quoteIdent(c.name), len(setIdx)))
		}
	}
	for _, c := range pk {
		i, ok := index[c]
		if !ok {
			return fmt.Errorf("primary key column %s of %s not copied", c, t)
		}
		whereIdx = append(whereIdx, i)
		where = append(where, fmt.Sprintf("%s = $%d", quoteIdent(c), len(setIdx)+len(whereIdx)))
	}
	q := `UPDATE ` + quoteIdent(t) + ` SET ` + strings.Join(set, ", ") + ` WHERE ` + strings.Join(where, " AND ")
	for _, row := range rows {
		var args []any
		for _, i := range setIdx {
			args = append(args, row[i])
		}
		for _, i := range whereIdx {
			args = append(args, row[i])
		}
		if _, err := dst.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// sqliteTimeLayouts are the text forms a timestamp may have in SQLite.
var sqliteTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02",
}

// convertValue turns a value read from the source into one the target
// column of type dataType (information_schema's name) accepts: SQLite
// keeps booleans as integers, timestamps as text or time.Time, and blobs
// and text interchangeably.
func convertValue(v any, dataType string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch dataType {
	case "boolean":
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		case float64:
			return x != 0, nil
		case string, []byte:
			b, err := strconv.ParseBool(strings.TrimSpace(asString(x)))
			if err != nil {
				return nil, fmt.Errorf("boolean %q", asString(x))
			}
			return b, nil
		}
	case "timestamp with time zone", "timestamp without time zone":
		switch x := v.(type) {
		case time.Time:
			return x, nil
		case int64:
			return time.Unix(x, 0).UTC(), nil
		case string, []byte:
			s := strings.TrimSpace(asString(x))
			for _, l := range sqliteTimeLayouts {
				if t, err := time.Parse(l, s); err == nil {
					return t, nil
				}
			}
			// Go's time.Time.String, which the driver writes for values it
			// did not format itself.
			if t, err := time.Parse("2006-01-02 15:04:05.999999999 -0700 MST", strings.Split(s, " m=")[0]); err == nil {
				return t, nil
			}
			return nil, fmt.Errorf("timestamp %q", s)
		}
	case "bytea":
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
	case "smallint", "integer", "bigint":
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			return int64(x), nil
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		case string, []byte:
			n, err := strconv.ParseInt(strings.TrimSpace(asString(x)), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("integer %q", asString(x))
			}
			return n, nil
		}
	case "double precision", "real", "numeric":
		switch x := v.(type) {
		case float64, int64:
			return x, nil
		case string, []byte:
			f, err := strconv.ParseFloat(strings.TrimSpace(asString(x)), 64)
			if err != nil {
				return nil, fmt.Errorf("number %q", asString(x))
			}
			return f, nil
		}
	default: // text, character varying, json, jsonb, date…
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		case int64:
			return strconv.FormatInt(x, 10), nil
		case float64:
			return strconv.FormatFloat(x, 'g', -1, 64), nil
		case bool:
			return strconv.FormatBool(x), nil
		case time.Time:
			return x.UTC().Format(time.RFC3339Nano), nil
		}
	}
	return nil, fmt.Errorf("cannot convert %T to %s", v, dataType)
}

func asString(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	s, _ := v.(string)
	return s
}

// quoteIdent quotes an SQL identifier for both engines.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// RowCount is the number of rows of a table, to check a copy.
func (s *Store) RowCount(ctx context.Context, table string) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+quoteIdent(table)).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count %s: %w", table, err)
	}
	return n, nil
}
