# Stride — the two commands a user types are `make run` and `make test`.
# Both install what they need first (Debian packages via apt-get, as root or
# with sudo), so they work on a fresh Debian machine that has Go and gcc.

GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
BIN         := bin/stride

# Debian packages: MuJoCo 2.2.2 is the reference peer used by cross-check tests;
# the viewer (sim/viewer) builds GLFW for X11 and its tests render under Xvfb;
# the telemetry test runs the docs' Python example with python3-msgpack.
DEB_PKGS := libmujoco-dev \
	pkg-config libgl-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev \
	xvfb xauth \
	python3-msgpack

.PHONY: all run test deps build vet lint unit bench fuzz clean

all: build

deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; \
	  else echo "make: need root or sudo to install:$$missing" >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

build:
	$(GO) build -o $(BIN) ./tools/stride

# the built-in robot stands up and walks a short tour (docs/tour.yaml):
# forward, turn, sideways, stop; headless with the summary without a display
run: deps build
	./$(BIN) sim --duration 16s --controller locomotion --commands docs/tour.yaml

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...

lint:
	$(GO) run $(STATICCHECK) ./...

unit:
	$(GO) test -count=1 ./...

test: deps vet lint unit

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./sim/... ./hal/... ./runtime
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 200x ./locomotion/qp ./locomotion/mpc

# fuzz each loader and reader for FUZZTIME (default 30 s each)
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./sim/mjcf
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./sim/urdf
	$(GO) test -run '^$$' -fuzz '^FuzzReadSTL$$' -fuzztime $(FUZZTIME) ./sim/meshio
	$(GO) test -run '^$$' -fuzz '^FuzzReadOBJ$$' -fuzztime $(FUZZTIME) ./sim/meshio
	$(GO) test -run '^$$' -fuzz '^FuzzReader$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 1x ./runtime/telemetry # whole logs as inputs: minimizing one takes the run
	$(GO) test -run '^$$' -fuzz '^FuzzDamage$$' -fuzztime $(FUZZTIME) ./runtime/telemetry
	$(GO) test -run '^$$' -fuzz '^FuzzParseUDPMessage$$' -fuzztime $(FUZZTIME) ./runtime
	$(GO) test -run '^$$' -fuzz '^FuzzConfig$$' -fuzztime $(FUZZTIME) ./runtime
	$(GO) test -run '^$$' -fuzz '^FuzzScript$$' -fuzztime $(FUZZTIME) ./runtime
	$(GO) test -run '^$$' -fuzz '^FuzzSolve$$' -fuzztime $(FUZZTIME) ./locomotion/qp
	$(GO) test -run '^$$' -fuzz '^FuzzParseTerrain$$' -fuzztime $(FUZZTIME) ./sim/scene
	$(GO) test -run '^$$' -fuzz '^FuzzFD$$' -fuzztime $(FUZZTIME) ./sim/inspect
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./hal/canbus
	$(GO) test -run '^$$' -fuzz '^FuzzReply$$' -fuzztime $(FUZZTIME) ./hal/canbus
	$(GO) test -run '^$$' -fuzz '^FuzzParser$$' -fuzztime $(FUZZTIME) ./hal/imu

clean:
	rm -rf bin
