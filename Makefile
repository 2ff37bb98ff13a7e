# PORTREA — the two commands of the README are `make run` and `make test`.
export GOTOOLCHAIN := local
export CGO_ENABLED := 0

GO  ?= go
BIN := bin/portrea

.PHONY: run build test vet bench cog npm assets mailpit clean

VENDOR := internal/web/static/vendor

## run: build and serve the product on SQLite with the demo territory (http://localhost:8080)
run: build
	PORTREA_DB=$${PORTREA_DB:-sqlite:data/portrea.db} ./$(BIN) serve --demo

## build: compile bin/portrea
build: assets
	$(GO) build -trimpath -o $(BIN) ./cmd/portrea

## test: every test, on SQLite and on PostgreSQL ($$PORTREA_TEST_POSTGRES)
test: vet mailpit
	$(GO) test -count=1 -timeout 20m ./...

vet: assets
	$(GO) vet ./...

## bench: the API query benchmarks over 100,000 places, on both engines
bench: assets
	$(GO) test -run '^$$' -bench . -benchtime 200x -timeout 30m ./internal/store/ ./internal/web/

## mailpit: the real SMTP server the e-mail tests send through (pinned, built from the Go module proxy)
MAILPIT := .ci/bin/mailpit
mailpit: $(MAILPIT)
$(MAILPIT):
	GOBIN=$(CURDIR)/.ci/bin $(GO) install github.com/axllent/mailpit@v1.33.1

## npm: install the pinned npm packages (reference data sources, front-end libraries)
npm: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

## assets: copy the front-end libraries from npm into the embedded, git-ignored vendor folder
assets: $(VENDOR)/.copied
$(VENDOR)/.copied: node_modules/.installed
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/leaflet/images
	cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/LICENSE $(VENDOR)/leaflet/
	cp node_modules/leaflet/dist/images/*.png $(VENDOR)/leaflet/images/
	touch $@

## cog: regenerate the built-in territory reference from the npm packages
cog: npm
	$(GO) run ./internal/territory/gen -src node_modules -out internal/territory/cog.gz

clean:
	rm -rf bin node_modules $(VENDOR)
