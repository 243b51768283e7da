# xlb top-level build. `make` builds everything into build/; see README.md.
# V=1 shows the commands.

BUILD   ?= build
CC      ?= gcc
CLANG   ?= clang
BPFTOOL ?= bpftool
PREFIX  ?= /usr/local

ifeq ($(V),1)
Q :=
msg =
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.SUFFIXES:

# Userspace: warnings are errors. SAN=1 adds ASan/UBSan (make check uses it
# for the unit-test binaries).
CFLAGS_BASE := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow \
	-Wno-missing-field-initializers -Iinclude -Iagent -I$(BUILD) \
	-D_GNU_SOURCE -MMD -MP
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
CFLAGS  ?=
CFLAGS  += $(CFLAGS_BASE)
LDLIBS  := -lxdp -lbpf -lelf -lz -lmnl -lcurl -lmicrohttpd -lcap-ng -ljson-c -lcrypto -lsystemd

# BPF: objects from vmlinux.h, verified by the kernel at load time. The
# programs read only uapi and wire-format structures (xdp_md, headers,
# bpf_fib_lookup), whose layout does not move: without CO-RE relocations
# (BPF_NO_PRESERVE_ACCESS_INDEX) libbpf does not read the kernel's BTF at
# load, 5.5 MB parsed twice, which was half of xlbd's peak memory.
BPF_CFLAGS := -O2 -g -target bpf -D__TARGET_ARCH_x86 -DBPF_NO_PRESERVE_ACCESS_INDEX -I. -Iinclude -Ibpf \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers

BPF_SRCS  := $(wildcard bpf/*.bpf.c) $(wildcard selftests/bench/*.bpf.c) \
	$(wildcard selftests/lib/*.bpf.c)
BPF_OBJS  := $(patsubst %.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
BPF_SKELS := $(patsubst %.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))

# Agent library: everything under agent/ except the daemon's main, shared
# by xlbd, the tools and the tests.
LIB_SRCS := $(filter-out agent/main.c,$(shell find agent -name '*.c' 2>/dev/null | sort))
LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS))
LIB      := $(BUILD)/libxlb.a

TOOLS := $(BUILD)/tools/xlb-setup $(BUILD)/tools/xlbctl
# xlbctl's bash completion, written by xlbctl itself from its command table
XLBCTL_BASH := $(BUILD)/tools/xlbctl.bash
XLBD  := $(BUILD)/agent/xlbd

# xlbctl is a folder of its own (tools/xlbctl/: main.c and the CLI,
# cli.c, which the agent tests also link); its objects go to
# $(BUILD)/tools/xlbctl.obj/, since $(BUILD)/tools/xlbctl is the program.
XLBCTL_SRCS := $(wildcard tools/xlbctl/*.c)
XLBCTL_OBJS := $(patsubst tools/xlbctl/%.c,$(BUILD)/tools/xlbctl.obj/%.o,$(XLBCTL_SRCS))

# The version string (build/version.h, XLB_VERSION): VERSION, or what git
# describe says when built from git (tools/version.sh). Checked on every
# make and rewritten only when it changes; every object waits for it
# (order-only), and the few that include it depend on it through -MMD.
VERSION_H := $(BUILD)/version.h

# Test support code (packet builder, test framework).
TLIB_SRCS := $(filter-out %.bpf.c,$(wildcard selftests/lib/*.c))
TLIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(TLIB_SRCS))

# Test tiers built from C: every `void test_NAME(void)` in a tier's .c
# files is a test, found by grep (as in the kernel's test_progs).
TEST_BPF_SRCS := $(wildcard selftests/bpf/*.c)
TEST_BPF_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(TEST_BPF_SRCS))
TEST_BPF      := $(BUILD)/selftests/test_bpf

# Agent unit tests run under ASan/UBSan: the agent library and test support
# are built a second time, instrumented, under $(BUILD)/san/.
TEST_AGENT_SRCS := $(wildcard selftests/agent/*.c)
SAN_OBJS   := $(patsubst %.c,$(BUILD)/san/%.o,$(LIB_SRCS) $(TLIB_SRCS) $(TEST_AGENT_SRCS) \
	tools/xlbctl/cli.c)
TEST_AGENT := $(BUILD)/selftests/test_agent

# Fuzz targets (clang libFuzzer with ASan/UBSan): selftests/fuzz/fuzz_NAME.c
# becomes $(BUILD)/fuzz/fuzz_NAME, linked with the sources FUZZ_SRCS_NAME
# lists (only what it fuzzes, not the whole agent). `make fuzz` runs each
# for FUZZ_TIME seconds from its committed corpus selftests/fuzz/corpus/NAME,
# keeping what it finds in $(BUILD)/fuzz/corpus/NAME (the committed corpus
# is never written); a short pass over the corpus runs in `make check`.
# A target that runs BPF programs also lists the skeletons it includes
# (FUZZ_DEPS_NAME) and links libbpf (FUZZ_LDLIBS_NAME).
FUZZ_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-missing-field-initializers \
	-Iinclude -Iagent -I$(BUILD) -D_GNU_SOURCE -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_NAMES := $(patsubst selftests/fuzz/fuzz_%.c,%,$(wildcard selftests/fuzz/fuzz_*.c))
FUZZ_TARGETS := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_NAMES))
FUZZ_SRCS_bgp_msg := $(addprefix agent/bgp/,reader.c writer.c err.c nlri.c attrs.c \
	msg_header.c msg_notification.c msg_route_refresh.c msg_open.c msg_update.c) agent/lib/buf.c
FUZZ_SRCS_dns_resp := agent/health/dns_msg.c
FUZZ_SRCS_bfd := agent/bfd/packet.c agent/bfd/session.c
FUZZ_SRCS_config := $(wildcard agent/config/*.c) agent/maps/maglev.c
FUZZ_SRCS_ctl_proto := agent/ctl/proto.c agent/ctl/commands.c agent/lib/buf.c
FUZZ_SRCS_etcd_msg := agent/pool/etcd_msg.c agent/pool/jsonc.c agent/pool/keys.c \
	agent/pool/view.c agent/ctl/commands.c agent/lib/buf.c
FUZZ_LDLIBS_etcd_msg := -ljson-c -lcrypto
# the datapath: the real BPF objects through BPF_PROG_TEST_RUN, programmed
# by the agent's map code and the balancer tests' fixture
FUZZ_XDP_SRCS := selftests/fuzz/xdp_check.c
FUZZ_XDP_DEPS := selftests/fuzz/xdp_check.h selftests/fuzz/xdp_input.h $(BUILD)/bpf/decap.skel.h
FUZZ_SRCS_xlb := $(FUZZ_XDP_SRCS) selftests/bpf/balancer_fixture.c selftests/lib/pkt.c \
	selftests/lib/test.c agent/maps/dataplane.c agent/maps/maglev.c agent/maps/flows.c
FUZZ_DEPS_xlb := $(FUZZ_XDP_DEPS) $(BUILD)/bpf/xlb.skel.h selftests/bpf/balancer_fixture.h \
	selftests/lib/pkt.h selftests/lib/test.h agent/maps/dataplane.h agent/maps/maglev.h \
	agent/maps/flows.h bpf/hash.h
FUZZ_LDLIBS_xlb := -lxdp -lbpf -lelf -lz
FUZZ_SRCS_decap := $(FUZZ_XDP_SRCS)
FUZZ_DEPS_decap := $(FUZZ_XDP_DEPS)
FUZZ_LDLIBS_decap := -lbpf -lelf -lz
# targets that load BPF programs: `make fuzz` skips them when not root
FUZZ_ROOT := xlb decap
FUZZ_TIME ?= 300
# Writes the datapath targets' seed corpora (see selftests/fuzz/README).
FUZZ_SEEDS := $(BUILD)/fuzz/xdp_seeds

# Helper programs of the e2e tier: selftests/e2e/NAME.c becomes
# $(BUILD)/selftests/NAME, linked with the agent library.
E2E_PROGS := $(patsubst selftests/e2e/%.c,$(BUILD)/selftests/%,$(wildcard selftests/e2e/*.c))

# Benchmarks: bench_agent.c (agent work), bench_health.c (health checks)
# and bench_forward.c (forwarding through a veth pair) have their own main
# and are binaries of their own; every other selftests/bench/*.c goes into
# bench_datapath.
BENCH_AGENT_SRC := $(wildcard selftests/bench/bench_agent.c)
BENCH_HEALTH_SRC := $(wildcard selftests/bench/bench_health.c)
BENCH_FORWARD_SRC := $(wildcard selftests/bench/bench_forward.c)
BENCH_SRCS := $(wildcard selftests/bench/*.c)
BENCH_SRCS := $(filter-out %.bpf.c $(BENCH_AGENT_SRC) $(BENCH_HEALTH_SRC) $(BENCH_FORWARD_SRC), \
	$(BENCH_SRCS))
BENCH_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(BENCH_SRCS))
BENCH      := $(if $(BENCH_SRCS),$(BUILD)/selftests/bench_datapath)
BENCH_AGENT := $(if $(BENCH_AGENT_SRC),$(BUILD)/selftests/bench_agent)
BENCH_HEALTH := $(if $(BENCH_HEALTH_SRC),$(BUILD)/selftests/bench_health)
BENCH_FORWARD := $(if $(BENCH_FORWARD_SRC),$(BUILD)/selftests/bench_forward)

.PHONY: all build deps deps-build check demo bench fuzz clean vmlinux install uninstall help FORCE
# `make` needs only the build packages; the targets that run tests, the
# demo or the benchmarks install the rest first (tools/deps.sh says why
# each package is there, and never stops or restarts a service).
all: deps-build
	$(Q)$(MAKE) --no-print-directory build

build: $(BPF_OBJS) $(BPF_SKELS) $(LIB) $(XLBD) $(TOOLS) $(XLBCTL_BASH) $(TEST_BPF) $(TEST_AGENT) $(BENCH) \
	$(BENCH_AGENT) $(FUZZ_TARGETS) $(FUZZ_SEEDS) $(E2E_PROGS)

deps:
	$(Q)tools/deps.sh all

deps-build:
	$(Q)tools/deps.sh build

# Regenerate vmlinux.h from the running kernel's BTF (committed; run this
# only when moving to a new kernel).
vmlinux:
	$(Q){ echo "/* Generated by 'make vmlinux' from /sys/kernel/btf/vmlinux of Linux $$(uname -r)."; \
	  echo " * Do not edit; regenerate on a new kernel. */"; \
	  $(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c; } > vmlinux.h.tmp
	$(Q)mv vmlinux.h.tmp vmlinux.h

$(BUILD)/%.bpf.o: %.bpf.c vmlinux.h include/xlb_shared.h $(wildcard bpf/*.h)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$(notdir $*)) > $@

# Userspace objects depend on the skeletons they may include.
$(VERSION_H): FORCE
	$(Q)tools/version.sh $@

$(BUILD)/%.o: %.c $(BPF_SKELS) | $(VERSION_H)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

$(XLBD): $(BUILD)/agent/main.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tools/%: $(BUILD)/tools/%.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tools/xlbctl.obj/%.o: tools/xlbctl/%.c $(BPF_SKELS) | $(VERSION_H)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -c $< -o $@

$(BUILD)/tools/xlbctl: $(XLBCTL_OBJS) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(XLBCTL_BASH): $(BUILD)/tools/xlbctl
	$(call msg,GEN,$@)
	$(Q)$< completion bash > $@

$(BUILD)/selftests/bpf/tests.inc: $(TEST_BPF_SRCS)
	$(Q)mkdir -p $(@D)
	$(Q)grep -ho '^void test_[a-z0-9_]*(void)' $^ | sed 's/^void test_\(.*\)(void)/TEST(\1)/' > $@

$(BUILD)/selftests/bpf/main.o: $(BUILD)/selftests/bpf/tests.inc

$(TEST_BPF): $(TEST_BPF_OBJS) $(TLIB_OBJS) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/san/%.o: %.c $(BPF_SKELS) | $(VERSION_H)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -DTEST_TIER_AGENT -c $< -o $@

$(BUILD)/selftests/agent/tests.inc: $(TEST_AGENT_SRCS)
	$(Q)mkdir -p $(@D)
	$(Q)grep -ho '^void test_[a-z0-9_]*(void)' $^ | sed 's/^void test_\(.*\)(void)/TEST(\1)/' > $@

$(BUILD)/san/selftests/agent/main.o: selftests/bpf/main.c $(BUILD)/selftests/agent/tests.inc
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -DTEST_TIER='"agent"' \
		-DTESTS_INC='"selftests/agent/tests.inc"' -c $< -o $@

$(TEST_AGENT): $(SAN_OBJS) $(BUILD)/san/selftests/agent/main.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) $^ $(LDLIBS) -o $@

$(E2E_PROGS): $(BUILD)/selftests/%: $(BUILD)/selftests/e2e/%.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(BENCH): $(BENCH_OBJS) $(TLIB_OBJS) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(BENCH_AGENT): $(BUILD)/selftests/bench/bench_agent.o $(BUILD)/selftests/lib/bench_util.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

build: $(BENCH_HEALTH) $(BENCH_FORWARD)

$(BENCH_HEALTH): $(BUILD)/selftests/bench/bench_health.o $(BUILD)/selftests/lib/bench_util.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(BENCH_FORWARD): $(BUILD)/selftests/bench/bench_forward.o $(BUILD)/selftests/lib/pkt.o \
	$(BUILD)/selftests/lib/bench_util.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

check: deps
	$(Q)$(MAKE) --no-print-directory build
	$(Q)BUILD=$(BUILD) selftests/run

.SECONDEXPANSION:
$(BUILD)/fuzz/fuzz_%: selftests/fuzz/fuzz_%.c $$(FUZZ_SRCS_$$*) $$(FUZZ_DEPS_$$*) \
		$$(wildcard agent/bgp/*.h agent/bfd/*.h) agent/lib/buf.h | $(VERSION_H)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $< $(FUZZ_SRCS_$*) $(FUZZ_LDLIBS_$*) -o $@
# the dns checker's codec: its header, which the rule above does not list
$(BUILD)/fuzz/fuzz_dns_resp: agent/health/dns_msg.h
$(BUILD)/fuzz/fuzz_config: $(wildcard agent/config/*.h) agent/maps/maglev.h
$(BUILD)/fuzz/fuzz_ctl_proto: $(wildcard agent/ctl/*.h agent/config/*.h)
$(BUILD)/fuzz/fuzz_etcd_msg: $(wildcard agent/pool/*.h agent/ctl/*.h)

$(FUZZ_SEEDS): $(BUILD)/selftests/fuzz/xdp_seeds.o $(BUILD)/selftests/lib/pkt.o
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $^ -o $@

fuzz: $(FUZZ_TARGETS)
	$(Q)for n in $(FUZZ_NAMES); do \
		case " $(FUZZ_ROOT) " in *" $$n "*) if [ "$$(id -u)" -ne 0 ]; then \
			echo "fuzz_$$n: needs root (BPF), skipped"; continue; fi;; esac; \
		mkdir -p $(BUILD)/fuzz/corpus/$$n $(BUILD)/fuzz/crashes/$$n || exit 1; \
		echo "fuzz_$$n: $(FUZZ_TIME) s, new inputs in $(BUILD)/fuzz/corpus/$$n"; \
		$(BUILD)/fuzz/fuzz_$$n -max_total_time=$(FUZZ_TIME) -timeout=10 -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/crashes/$$n/ \
			$(BUILD)/fuzz/corpus/$$n selftests/fuzz/corpus/$$n || exit 1; \
	done

demo: deps
	$(Q)$(MAKE) --no-print-directory build
	$(Q)BUILD=$(BUILD) tools/demo.sh

bench: deps
	$(Q)$(MAKE) --no-print-directory build
	$(Q)BUILD=$(BUILD) selftests/bench/run

clean:
	$(Q)rm -rf $(BUILD)

# make install [PREFIX=/usr/local] [DESTDIR=]: what an xlb node or a backend
# needs, no more. The BPF programs are compiled into xlbd and xlb-setup
# (skeletons), so no object file is installed. The unit goes where systemd
# looks for the PREFIX (/usr/local/lib/systemd/system for a local build,
# /usr/lib/systemd/system = /lib/systemd/system with PREFIX=/usr, as Debian
# packages do). /etc/xlb/xlb.conf is never written: the sample goes next to
# it as xlb.conf.sample and into the documentation.
SBINDIR        ?= $(PREFIX)/sbin
BINDIR         ?= $(PREFIX)/bin
MANDIR         ?= $(PREFIX)/share/man
DOCDIR         ?= $(PREFIX)/share/doc/xlb
SYSCONFDIR     ?= /etc
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR    ?= $(PREFIX)/share/bash-completion/completions
INSTALL_FILES := $(SBINDIR)/xlbd $(SBINDIR)/xlb-setup $(BINDIR)/xlbctl $(BASHCOMPDIR)/xlbctl \
	$(MANDIR)/man5/xlb.conf.5 $(MANDIR)/man8/xlbd.8 $(MANDIR)/man8/xlbctl.8 \
	$(SYSTEMDUNITDIR)/xlbd.service $(SYSCONFDIR)/xlb/xlb.conf.sample \
	$(DOCDIR)/examples/xlb.conf $(addprefix $(DOCDIR)/,README.md architecture.md runbook.md) \
	$(addprefix $(DOCDIR)/examples/leaf/,$(notdir $(wildcard doc/leaf/*)))

install: $(XLBD) $(TOOLS) $(XLBCTL_BASH)
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -d $(addprefix $(DESTDIR),$(SBINDIR) $(BINDIR) $(MANDIR)/man5 $(MANDIR)/man8 \
		$(SYSTEMDUNITDIR) $(SYSCONFDIR)/xlb $(DOCDIR)/examples/leaf $(BASHCOMPDIR))
	$(Q)install -m 0755 $(XLBD) $(BUILD)/tools/xlb-setup $(DESTDIR)$(SBINDIR)/
	$(Q)install -m 0755 $(BUILD)/tools/xlbctl $(DESTDIR)$(BINDIR)/
	$(Q)install -m 0644 $(XLBCTL_BASH) $(DESTDIR)$(BASHCOMPDIR)/xlbctl
	$(Q)install -m 0644 doc/xlb.conf.5 $(DESTDIR)$(MANDIR)/man5/
	$(Q)install -m 0644 doc/xlbd.8 doc/xlbctl.8 $(DESTDIR)$(MANDIR)/man8/
	$(Q)sed 's|@SBINDIR@|$(SBINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' tools/systemd/xlbd.service.in \
		> $(DESTDIR)$(SYSTEMDUNITDIR)/xlbd.service.tmp
	$(Q)chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/xlbd.service.tmp
	$(Q)mv $(DESTDIR)$(SYSTEMDUNITDIR)/xlbd.service.tmp $(DESTDIR)$(SYSTEMDUNITDIR)/xlbd.service
	$(Q)install -m 0644 doc/examples/xlb.conf $(DESTDIR)$(SYSCONFDIR)/xlb/xlb.conf.sample
	$(Q)install -m 0644 doc/examples/xlb.conf $(DESTDIR)$(DOCDIR)/examples/
	$(Q)install -m 0644 README.md doc/architecture.md doc/runbook.md $(DESTDIR)$(DOCDIR)/
	$(Q)install -m 0644 doc/leaf/* $(DESTDIR)$(DOCDIR)/examples/leaf/
	$(Q)test -e $(DESTDIR)$(SYSCONFDIR)/xlb/xlb.conf || \
		echo "install: no $(SYSCONFDIR)/xlb/xlb.conf yet: start from $(SYSCONFDIR)/xlb/xlb.conf.sample"

# removes what install wrote; the config and the state stay, and of the
# directories only xlb's own go, when empty
uninstall:
	$(Q)rm -f $(addprefix $(DESTDIR),$(INSTALL_FILES))
	$(Q)rmdir $(DESTDIR)$(DOCDIR)/examples/leaf $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(SYSCONFDIR)/xlb 2>/dev/null || true

help:
	@echo "make            build everything into $(BUILD)/ (installs missing build packages first)"
	@echo "make deps       apt-get what is missing for building, tests, demo and benchmarks"
	@echo "                (never stops, restarts or starts a system service)"
	@echo "make check      build and run every test tier"
	@echo "make demo       build and run the namespace demo (KEEP=1 keeps it up)"
	@echo "make bench      build and run the benchmarks"
	@echo "make fuzz       run every fuzz target for FUZZ_TIME seconds (default 300)"
	@echo "make vmlinux    regenerate vmlinux.h from this kernel's BTF"
	@echo "make install    install xlbd, xlbctl (and its bash completion), xlb-setup, man pages, the systemd unit"
	@echo "                and a sample config (PREFIX=$(PREFIX), DESTDIR=)"
	@echo "make uninstall  remove them again (the config and state stay)"

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
