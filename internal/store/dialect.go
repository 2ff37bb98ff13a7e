package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
)

//go:embed migrations
var migrationFiles embed.FS

// dialect is everything that differs between SQLite and PostgreSQL. The
// rest of the package writes one portable SQL: $N placeholders, ON
// CONFLICT, RETURNING, bitwise &, substr, LIKE.
type dialect struct {
	name string
	// lock serialises migrations between processes starting together.
	lock func(ctx context.Context, conn *sql.Conn) (unlock func(), err error)
	// inList is a condition "col is one of the strings in the JSON array
	// bound at placeholder n".
	inList func(col string, n int) string
	// bulkRows is the number of rows per INSERT in bulk writes. modernc's
	// SQLite binds $N parameters in time quadratic in their number, so it
	// gets one row per (prepared, reused) statement; PostgreSQL saves
	// round trips with many.
	bulkRows int
}

var sqliteDialect = dialect{
	name: "sqlite",
	// SQLite has a single writer connection per process and a BEGIN
	// IMMEDIATE per migration; another process waits on busy_timeout.
	lock: func(context.Context, *sql.Conn) (func(), error) { return func() {}, nil },
	inList: func(col string, n int) string {
		return fmt.Sprintf("%s IN (SELECT value FROM json_each($%d))", col, n)
	},
	bulkRows: 1,
}

// migrationLockKey is an arbitrary constant identifying PORTREA's
// migration advisory lock.
const migrationLockKey = 7_361_202_611

var postgresDialect = dialect{
	name: "postgres",
	lock: func(ctx context.Context, conn *sql.Conn) (func(), error) {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLockKey); err != nil {
			return nil, err
		}
		return func() {
			conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, migrationLockKey)
		}, nil
	},
	inList: func(col string, n int) string {
		return fmt.Sprintf("%s IN (SELECT jsonb_array_elements_text($%d::jsonb))", col, n)
	},
	bulkRows: 200,
}

func (d dialect) migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations/"+d.name)
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return sub
}
