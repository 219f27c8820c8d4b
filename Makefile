# Kawal: `make run` starts kawald on a local state folder; `make test` builds and runs every test.
# Both install what they need first (`make deps`), so a fresh Debian machine needs nothing else.

SWIFT        ?= swift
VENV         := .venv
PYTHON       := $(VENV)/bin/python
STATE        := $(CURDIR)/.kawal
BIN          := $(CURDIR)/.build/debug
RELEASE_BIN  := $(CURDIR)/.build/release

# Build libraries, test peers and tools (Debian package names).
APT_PACKAGES := libsystemd-dev libzstd-dev libsqlite3-dev pkg-config python3 python3-venv \
                systemd util-linux redis-server redis-tools hyperfine sqlite3 zstd age strace zlib1g-dev \
                msmtp python3-aiosmtpd gammu-smsd openssl chromium restic \
                dpkg-dev binutils patchelf iproute2
# Only for `make test-deb`, so that `make test` does not install lintian.
DEB_APT_PACKAGES := lintian man-db

.PHONY: all deps deps-apt deps-python build completions plugin-links run test test-swift test-python test-system upgrade-from-deb bench deb deb-debug test-deb clean

all: build

deps: deps-apt deps-python

deps-apt:
	@missing=""; for p in $(APT_PACKAGES) $(EXTRA_APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: Tests/python/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r Tests/python/requirements.txt
	touch $@

deps-python: $(VENV)/.installed

build: deps-apt
	$(SWIFT) build
	@$(MAKE) --no-print-directory completions plugin-links PLUGIN_BIN=$(BIN)

# Each shipped plugin is a link to kawal-plugins, named after the plugin (notify-email, kawal-backup, …).
plugin-links:
	@for plugin in $$($(PLUGIN_BIN)/kawal-plugins --list); do ln -sf kawal-plugins $(PLUGIN_BIN)/$$plugin; done

completions:
	@mkdir -p .build/completions
	@$(BIN)/kawalctl --generate-completion-script bash > .build/completions/kawalctl.bash
	@$(BIN)/kawalctl --generate-completion-script zsh > .build/completions/_kawalctl
	@$(BIN)/kawalctl --generate-completion-script fish > .build/completions/kawalctl.fish

run: build
	@mkdir -p $(STATE)
	@echo
	@echo "kawald is starting on $(STATE) (Ctrl-C stops it). In another terminal:"
	@echo "    $(BIN)/kawalctl --socket $(STATE)/run/control.sock status"
	@echo "or: export KAWAL_SOCKET=$(STATE)/run/control.sock; $(BIN)/kawalctl status"
	@echo
	@exec $(BIN)/kawald --config packaging/kawald.toml --state-dir $(STATE)/state --runtime-dir $(STATE)/run

test: deps build
	$(SWIFT) build --product varlink-certification-server
	$(SWIFT) build --product kawal-test-plugin
	# Two processes: the end-to-end tests block on child processes and sockets, which would starve
	# the in-process servers of the unit tests of Swift's (2-thread) cooperative pool.
	KAWAL_BIN_DIR=$(BIN) $(SWIFT) test --skip KawalEndToEndTests
	KAWAL_BIN_DIR=$(BIN) $(SWIFT) test --filter KawalEndToEndTests
	KAWAL_BIN_DIR=$(BIN) $(PYTHON) -m pytest -q Tests/python
	@$(MAKE) --no-print-directory test-system

# The package an upgrade starts from, for the system test: the commit before the newest schema
# migration (v7-job-payload-forgotten), built in debug and packaged with this tree's build.py from
# that commit's own units and files. Needs the git history (a shallow clone skips the upgrade test).
UPGRADE_FROM := a36735521872202c63a25cd688f508e36a976875
UPGRADE_DIR  := $(CURDIR)/.build/upgrade-from

upgrade-from-deb: deps-apt
	@if ! git cat-file -e $(UPGRADE_FROM)^{commit} 2>/dev/null; then \
	  echo "upgrade-from-deb: commit $(UPGRADE_FROM) is not in this clone (shallow?); the upgrade test will be skipped"; \
	elif [ ! -f $(UPGRADE_DIR)/deb/.built-$(UPGRADE_FROM) ]; then \
	  rm -rf $(UPGRADE_DIR)/src $(UPGRADE_DIR)/deb && mkdir -p $(UPGRADE_DIR)/src && \
	  git archive $(UPGRADE_FROM) | tar -x -C $(UPGRADE_DIR)/src && \
	  (cd $(UPGRADE_DIR)/src && $(SWIFT) build --scratch-path $(UPGRADE_DIR)/build) && \
	  cp packaging/deb/build.py $(UPGRADE_DIR)/src/packaging/deb/build.py && \
	  KAWAL_BIN=$(UPGRADE_DIR)/build/debug KAWAL_DEB_OUT=$(UPGRADE_DIR)/deb KAWAL_DEB_FAST=1 KAWAL_DEB_VERSION=0.0.9+git$$(echo $(UPGRADE_FROM) | cut -c1-7) \
	    python3 $(UPGRADE_DIR)/src/packaging/deb/build.py package && \
	  touch $(UPGRADE_DIR)/deb/.built-$(UPGRADE_FROM); \
	fi

# The office server: the package built from this tree (debug build, to keep CI inside its time)
# installed with dpkg under a real systemd as PID 1, booted over a throw-away overlay of the root
# (Tests/system/boot.sh). Needs root; without it the tests are skipped, and say so.
test-system: deps build deb-debug upgrade-from-deb
	KAWAL_DEB=$$(ls -t .build/deb-debug/kawal_*_amd64.deb | head -1) \
	KAWAL_UPGRADE_FROM_DEB=$$(ls -t $(UPGRADE_DIR)/deb/kawal_*_amd64.deb 2>/dev/null | head -1) \
	  $(PYTHON) -m pytest -q -rs Tests/system

bench: deps
	$(SWIFT) build -c release --product kawald
	$(SWIFT) build -c release --static-swift-stdlib --product kawalctl
	$(SWIFT) build -c release --product kawal-bench
	$(SWIFT) build -c release --product kawal-test-plugin
	$(SWIFT) build -c release --product kawal-plugins
	@$(MAKE) --no-print-directory plugin-links PLUGIN_BIN=$(RELEASE_BIN)
	KAWAL_BIN_DIR=$(RELEASE_BIN) $(PYTHON) Benchmarks/run.py
	KAWAL_BIN_DIR=$(RELEASE_BIN) $(PYTHON) Benchmarks/scheduler.py
	KAWAL_BIN_DIR=$(RELEASE_BIN) $(PYTHON) Benchmarks/backup.py
	KAWAL_BIN_DIR=$(RELEASE_BIN) $(PYTHON) Benchmarks/memory.py
	KAWAL_BIN_DIR=$(RELEASE_BIN) $(PYTHON) Benchmarks/inbound.py

# The Debian package, from a release build: kawald, kawalctl and every executable product whose
# target is under plugins/, with the Swift runtime libraries they use in /usr/lib/kawal/swift (no
# /opt/swift needed where it is installed).
deb: deps-apt
	$(SWIFT) build -c release --product kawald
	$(SWIFT) build -c release --product kawalctl
	@for plugin in $$(python3 packaging/deb/build.py plugins); do \
	  echo "$(SWIFT) build -c release --product $$plugin"; \
	  $(SWIFT) build -c release --product $$plugin || exit 1; \
	done
	KAWAL_BIN=$(RELEASE_BIN) python3 packaging/deb/build.py package

# The same package from the debug build (`make build` builds every product), for the system test.
deb-debug: build
	KAWAL_BIN=$(BIN) KAWAL_DEB_OUT=$(CURDIR)/.build/deb-debug KAWAL_DEB_FAST=1 python3 packaging/deb/build.py package

# Builds the package, installs it on this machine (root), checks it with lintian, then removes and
# purges it. Not part of `make test`: the release build alone takes longer than the rest of CI.
test-deb: deps deb
	@$(MAKE) --no-print-directory deps-apt EXTRA_APT_PACKAGES="$(DEB_APT_PACKAGES)"
	KAWAL_DEB=$$(ls -t .build/deb/kawal_*_amd64.deb | head -1) $(PYTHON) -m pytest -q -s Tests/python/test_deb.py

clean:
	rm -rf .build $(VENV) $(STATE)
