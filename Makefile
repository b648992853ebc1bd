# Shortcuts for the commands the README documents; each target is one command you can also run by hand.
.PHONY: dev test bench bench-shards bench-scripts bench-curl bench-console soak chaos

# The gateway on the example routes.yaml with a private redis-server (installs packages if missing).
dev:
	scripts/dev

# Every test against real components, after scripts/test-setup installs the chart and Dockerfile tools.
test:
	scripts/test

# Every benchmark in one run (4 to 6 minutes), then every measure against its target with the
# top symbols per process (bench/results/results.md, copied to bench/profiles/ with the profiles).
# Sizes and options as env vars: see bench/all.sh.
bench:
	bench/all.sh

# redis.partitions 1, 3 and 6 on one Redis and on a 3-master Redis Cluster: CPU and commands per event per master.
bench-shards:
	bench/shards.sh

# The worker's route and complete scripts against the same writes as plain commands in MULTI/EXEC:
# Redis's CPU for each (seconds; needs only redis-server and python3).
bench-scripts:
	bench/scripts-alone.sh

# libcurl alone under callgrind at 64 and 640 in flight: instructions per request (needs valgrind and nginx).
bench-curl:
	bench/curl-instructions.sh

# The console's pages with 1,000,000 events and 20,000 dead letters stored.
bench-console:
	bench/console.sh

# Ten minutes at a steady rate with healthy, slow and failing endpoints: SECONDS=600 RATE=1000 by default.
SECONDS ?= 600
RATE ?= 1000
soak:
	bench/soak.sh $(SECONDS) $(RATE)

# Every chaos scenario in its full form (about 10 minutes); the table goes in the README.
chaos:
	swift build -c release --product sluice
	swift build -c release --product sluice-chaos
	.build/release/sluice-chaos run --markdown
