# PORTREA in a container: one static binary on a distroless image.
#   docker build -t portrea .
#   docker run -p 8080:8080 -v portrea-data:/data -e PORTREA_BASE_URL=https://portrea.example.fr portrea
# Add `--demo` after the image name to seed the demo territory in an empty database.

# Build: Go for the binary, Node and npm for the front-end libraries that
# `make build` copies into the embedded static files.
FROM golang:1.26 AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
ENV GOTOOLCHAIN=local CGO_ENABLED=0
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Start from a clean slate whatever the build context held.
RUN rm -rf bin node_modules internal/web/static/vendor \
 && make build \
 && mkdir -p /data

# Run: no shell, no package manager; CA certificates and time zones are there.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /src/bin/portrea /portrea
COPY --from=build --chown=nonroot:nonroot /data /data
ENV PORTREA_ADDR=:8080 \
    PORTREA_DB=sqlite:/data/portrea.db
VOLUME /data
EXPOSE 8080
USER nonroot
ENTRYPOINT ["/portrea", "serve"]
