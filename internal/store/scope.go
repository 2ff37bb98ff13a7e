package store

import (
	"context"
	"fmt"
)

// inTerritories is the condition limiting a listing to some territories
// (epcis nil: every territory). ok is false for an empty, non-nil scope:
// there is nothing to list.
func inTerritories(epcis []string) (where string, args []any, ok bool) {
	if epcis == nil {
		return "", nil, true
	}
	if len(epcis) == 0 {
		return "", nil, false
	}
	for _, e := range epcis {
		args = append(args, e)
	}
	return ` WHERE epci IN (` + placeholders(1, len(epcis)) + `)`, args, true
}

// queryAll runs a query and scans every row; what names the listing in
// errors.
func queryAll[T any](ctx context.Context, q querier, what, query string, args []any, scan func(scanner) (T, error)) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
