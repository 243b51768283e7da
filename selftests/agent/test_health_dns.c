// SPDX-License-Identifier: GPL-2.0
/*
 * The dns checker against a real server — unbound in the foreground on a
 * free loopback port, with its own config in a temporary directory,
 * serving a static zone `test.` — over UDP and TCP, IPv4 and IPv6: an
 * answer, an empty answer with and without `nonempty`, NXDOMAIN and
 * REFUSED against the expected rcode, a truncated UDP answer, the server
 * gone (refused), a server that never answers (timeout). Then a fake
 * server on the test's own loop for what no real server sends: answers
 * with another id (ignored on UDP, a failure on TCP), an answer to
 * another question, a malformed answer, a connection closed early.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "health/dns_msg.h"
#include "health_test.h"

#define UNBOUND "/usr/sbin/unbound"

struct unbound {
	pid_t pid;
	uint16_t port;
	char dir[32];
	char conf[PATH_MAX];
};

/* One TXT record of 200 bytes per line: 5 of them do not fit 512 bytes. */
static void big_txt(FILE *f)
{
	char s[201];

	memset(s, 'x', 200);
	s[200] = '\0';
	for (int i = 0; i < 5; i++) {
		s[0] = 'a' + i;
		fprintf(f, "\tlocal-data: \"big.test. 60 IN TXT \\\"%s\\\"\"\n", s);
	}
}

/* Ask unbound for www.test until it answers (it is up), 5 s at most. */
static bool unbound_ready(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval tv = { .tv_usec = 100000 };
	uint8_t q[HC_DNS_QUERY_MAX], r[512];
	int fd, n, qlen;
	bool ok = false;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	qlen = hc_dns_query_build(q, sizeof(q), 0x1234, "www.test", 1);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || qlen < 0)
		goto out;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (int i = 0; i < 50 && !ok; i++) {
		sendto(fd, q, qlen, 0, (struct sockaddr *)&sin, sizeof(sin));
		n = recv(fd, r, sizeof(r), 0);
		ok = n >= HC_DNS_HDR_LEN && r[0] == 0x12 && r[1] == 0x34;
		if (n < 0)
			usleep(100000);
	}
out:
	if (fd >= 0)
		close(fd);
	return ok;
}

static bool unbound_start(struct unbound *u)
{
	char *argv[] = { UNBOUND, "-d", "-c", u->conf, NULL };
	FILE *f;

	memset(u, 0, sizeof(*u));
	if (access(UNBOUND, X_OK)) {
		test_skip("needs " UNBOUND " (make deps)");
		return false;
	}
	snprintf(u->dir, sizeof(u->dir), "/tmp/xlb-hc-dns.XXXXXX");
	if (!ASSERT_OK_PTR(mkdtemp(u->dir), "mkdtemp"))
		return false;
	snprintf(u->conf, sizeof(u->conf), "%s/unbound.conf", u->dir);
	if (!ASSERT_OK(ht_free_port(&u->port), "free port"))
		return false;
	f = fopen(u->conf, "w");
	if (!ASSERT_OK_PTR(f, "unbound.conf"))
		return false;
	fprintf(f,
		"server:\n"
		"\tinterface: 127.0.0.1\n"
		"\tinterface: ::1\n"
		"\tport: %u\n"
		"\tdo-daemonize: no\n"
		"\tusername: \"\"\n"
		"\tchroot: \"\"\n"
		"\tdirectory: \"%s\"\n"
		"\tpidfile: \"\"\n"
		"\tuse-syslog: no\n"
		"\tlogfile: \"\"\n"
		"\tverbosity: 0\n"
		"\tnum-threads: 1\n"
		"\tmodule-config: \"iterator\"\n"
		"\taccess-control: 127.0.0.0/8 allow\n"
		"\taccess-control: ::1 allow\n"
		"\tlocal-zone: \"test.\" static\n"
		"\tlocal-data: \"test. 60 IN SOA ns.test. admin.test. 1 3600 600 86400 60\"\n"
		"\tlocal-data: \"www.test. 60 IN A 192.0.2.1\"\n"
		"\tlocal-data: \"www.test. 60 IN A 192.0.2.2\"\n"
		"\tlocal-data: \"txtonly.test. 60 IN TXT \\\"hello\\\"\"\n"
		"\tlocal-zone: \"refused.test.\" refuse\n",
		u->port, u->dir);
	big_txt(f);
	fprintf(f, "remote-control:\n\tcontrol-enable: no\n");
	fclose(f);
	u->pid = ht_spawn(argv, NULL);
	if (!ASSERT_GT(u->pid, 0, "spawn unbound"))
		return false;
	return ASSERT_TRUE(unbound_ready(u->port), "unbound answers");
}

static void unbound_stop(struct unbound *u)
{
	ht_kill(u->pid);
	u->pid = 0;
	if (u->conf[0])
		unlink(u->conf);
	if (u->dir[0])
		rmdir(u->dir);
}

struct dcase {
	const char *name;
	const char *addr;	/* NULL: 127.0.0.1 */
	const char *query;
	uint16_t qtype;		/* 0: A */
	uint8_t rcode;
	bool tcp, nonempty;
	enum hc_state want;
	const char *detail;	/* the reason contains this */
};

struct running {
	struct hc *hc;
	struct ht_watch w;
	struct conf_health cfg;
};

static bool all_changed(void *arg)
{
	struct running *r = arg;

	for (; r->cfg.kind; r++)
		if (!r->w.changes)
			return false;
	return true;
}

static void run_cases(const struct dcase *cases, size_t n, uint16_t port)
{
	struct running *r = calloc(n + 1, sizeof(*r));
	struct evloop *el = NULL;
	size_t i;

	if (!ASSERT_OK_PTR(r, "calloc"))
		return;
	if (!ASSERT_OK(evloop_new(&el), "evloop_new"))
		goto out;
	for (i = 0; i < n; i++) {
		const struct dcase *c = &cases[i];
		struct hc_target t = ht_target(c->addr ? c->addr : "127.0.0.1", port);

		r[i].cfg = ht_cfg(CONF_HC_DNS);
		r[i].cfg.interval_ms = 2000;
		r[i].cfg.timeout_ms = 1000;
		r[i].cfg.rise = r[i].cfg.fall = 1;
		r[i].cfg.query = (char *)c->query;
		r[i].cfg.qtype = c->qtype ? c->qtype : 1;
		r[i].cfg.rcode = c->rcode;
		r[i].cfg.dns_tcp = c->tcp;
		r[i].cfg.nonempty = c->nonempty;
		ASSERT_OK(hc_new(el, &r[i].cfg, &t, ht_change, &r[i].w, &r[i].hc), c->name);
	}
	ASSERT_TRUE(ht_run_until(el, 5000, all_changed, r), "every check has a verdict");
	for (i = 0; i < n; i++) {
		test_ctx("%s", cases[i].name);
		printf("%-44s %s\n", cases[i].name, r[i].w.reason);
		ASSERT_EQ(r[i].w.state, cases[i].want, "state");
		ASSERT_TRUE(strstr(r[i].w.reason, cases[i].detail) != NULL, "detail");
	}
	test_ctx(NULL);
out:
	for (i = 0; i < n; i++)
		hc_free(r[i].hc);
	evloop_free(el);
	free(r);
}

#define T_TXT 16

static const struct dcase unbound_cases[] = {
	{ "answer", .query = "www.test", .want = HC_UP, .detail = "1 success: NOERROR, 2 answers" },
	{ "answer, nonempty", .query = "www.test", .nonempty = true, .want = HC_UP,
	  .detail = "NOERROR, 2 answers" },
	{ "answer, name in capitals with a final dot", .query = "WWW.Test.", .nonempty = true,
	  .want = HC_UP, .detail = "NOERROR, 2 answers" },
	{ "empty answer", .query = "txtonly.test", .want = HC_UP, .detail = "NOERROR, 0 answers" },
	{ "empty answer, nonempty", .query = "txtonly.test", .nonempty = true, .want = HC_DOWN,
	  .detail = "1 failure: NOERROR, empty answer" },
	{ "TXT answer", .query = "txtonly.test", .qtype = T_TXT, .nonempty = true, .want = HC_UP,
	  .detail = "NOERROR, 1 answer" },
	{ "NXDOMAIN, NOERROR expected", .query = "nx.test", .want = HC_DOWN,
	  .detail = "NXDOMAIN, want NOERROR" },
	{ "NXDOMAIN expected", .query = "nx.test", .rcode = 3, .want = HC_UP,
	  .detail = "NXDOMAIN, 0 answers" },
	{ "NOERROR, NXDOMAIN expected", .query = "www.test", .rcode = 3, .want = HC_DOWN,
	  .detail = "NOERROR, want NXDOMAIN" },
	{ "REFUSED", .query = "a.refused.test", .want = HC_DOWN, .detail = "REFUSED, want NOERROR" },
	{ "REFUSED expected", .query = "a.refused.test", .rcode = 5, .want = HC_UP,
	  .detail = "REFUSED" },
	{ "truncated over UDP counts", .query = "big.test", .qtype = T_TXT, .nonempty = true,
	  .want = HC_UP, .detail = "NOERROR, truncated" },
	{ "tcp: answer", .query = "www.test", .tcp = true, .nonempty = true, .want = HC_UP,
	  .detail = "NOERROR, 2 answers" },
	{ "tcp: the whole big answer", .query = "big.test", .qtype = T_TXT, .tcp = true,
	  .nonempty = true, .want = HC_UP, .detail = "NOERROR, 5 answers" },
	{ "tcp: NXDOMAIN", .query = "nx.test", .tcp = true, .want = HC_DOWN,
	  .detail = "NXDOMAIN, want NOERROR" },
	{ "tcp: empty, nonempty", .query = "txtonly.test", .tcp = true, .nonempty = true,
	  .want = HC_DOWN, .detail = "NOERROR, empty answer" },
	{ "IPv6", .addr = "::1", .query = "www.test", .nonempty = true, .want = HC_UP,
	  .detail = "NOERROR, 2 answers" },
	{ "IPv6 tcp", .addr = "::1", .query = "www.test", .tcp = true, .want = HC_UP,
	  .detail = "NOERROR, 2 answers" },
};

static const struct dcase down_cases[] = {
	{ "udp: server gone", .query = "www.test", .want = HC_DOWN,
	  .detail = "1 failure: recv: Connection refused" },
	{ "tcp: server gone", .query = "www.test", .tcp = true, .want = HC_DOWN,
	  .detail = "1 failure: connect: Connection refused" },
};

void test_health_dns(void)
{
	struct unbound u;

	if (!unbound_start(&u))
		goto out;
	run_cases(unbound_cases, sizeof(unbound_cases) / sizeof(unbound_cases[0]), u.port);
	ht_kill(u.pid);
	u.pid = 0;
	run_cases(down_cases, sizeof(down_cases) / sizeof(down_cases[0]), u.port);
out:
	unbound_stop(&u);
}

/* ---- a fake server on the test's loop ---- */

enum fake_mode {
	FAKE_OTHER_ID_THEN_RIGHT,	/* udp: a wrong id, then the answer */
	FAKE_OTHER_ID,			/* only a wrong id */
	FAKE_OTHER_QUESTION,		/* right id, question for another name */
	FAKE_MALFORMED,			/* ANCOUNT 1, no record */
	FAKE_TC_EMPTY,			/* TC, no answer */
	FAKE_CLOSE,			/* tcp: close without answering */
	FAKE_SILENT,			/* never answer */
};

struct fake {
	enum fake_mode mode;
	int ufd, tfd;
	int conns[8];
	int n_conns;
};

/* The response to query q (qlen bytes) for mode, into out; its length. */
static size_t fake_answer(enum fake_mode mode, const uint8_t *q, size_t qlen, uint8_t *out,
			  bool wrong_id)
{
	static const uint8_t rr[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1 };
	size_t n = qlen;

	memcpy(out, q, qlen);
	out[2] = 0x81;		/* QR, RD */
	out[3] = 0x80;		/* RA, NOERROR */
	if (wrong_id)
		out[1] ^= 0x55;
	switch (mode) {
	case FAKE_OTHER_QUESTION:
		out[HC_DNS_HDR_LEN + 1] ^= 0x01;	/* first letter of the name */
		break;
	case FAKE_MALFORMED:
		out[7] = 1;
		break;
	case FAKE_TC_EMPTY:
		out[2] |= 0x02;
		break;
	default:
		memcpy(out + n, rr, sizeof(rr));
		n += sizeof(rr);
		out[7] = 1;
		break;
	}
	return n;
}

static void fake_udp(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct fake *f = arg;
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	uint8_t q[512], out[600];
	ssize_t n;
	size_t len;

	(void)el;
	(void)events;
	n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &flen);
	if (n < HC_DNS_HDR_LEN || f->mode == FAKE_SILENT)
		return;
	if (f->mode == FAKE_OTHER_ID_THEN_RIGHT || f->mode == FAKE_OTHER_ID) {
		len = fake_answer(f->mode, q, n, out, true);
		sendto(fd, out, len, 0, (struct sockaddr *)&from, flen);
		if (f->mode == FAKE_OTHER_ID)
			return;
	}
	len = fake_answer(f->mode, q, n, out, false);
	sendto(fd, out, len, 0, (struct sockaddr *)&from, flen);
}

static void fake_conn(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct fake *f = arg;
	uint8_t q[514], out[2 + 600];
	ssize_t n;
	size_t len;

	(void)events;
	n = read(fd, q, sizeof(q));
	if (n <= 2 || f->mode == FAKE_CLOSE || f->mode == FAKE_SILENT) {
		if (n <= 0 || f->mode == FAKE_CLOSE) {
			evloop_del_fd(el, fd);
			shutdown(fd, SHUT_RDWR);
		}
		return;
	}
	len = fake_answer(f->mode, q + 2, n - 2, out + 2, f->mode == FAKE_OTHER_ID);
	out[0] = len >> 8;
	out[1] = len;
	if (write(fd, out, len + 2) < 0)
		return;
}

static void fake_accept(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct fake *f = arg;
	int c;

	(void)events;
	c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (c < 0)
		return;
	if (f->n_conns == 8 || evloop_add_fd(el, c, EPOLLIN, fake_conn, f)) {
		close(c);
		return;
	}
	f->conns[f->n_conns++] = c;
}

static void fake_case(enum fake_mode mode, bool tcp, bool nonempty, enum hc_state want,
		      const char *reason)
{
	struct conf_health cfg = ht_cfg(CONF_HC_DNS);
	struct fake f = { .mode = mode, .ufd = -1, .tfd = -1 };
	struct ht_watch w = {};
	struct evloop *el = NULL;
	struct hc *hc = NULL;
	struct hc_target t;
	uint16_t port;

	test_ctx("%s %d", tcp ? "tcp" : "udp", mode);
	if (!ASSERT_OK(evloop_new(&el), "evloop_new"))
		return;
	if (tcp) {
		f.tfd = ht_bind("127.0.0.1", SOCK_STREAM, &port);
		ASSERT_OK(evloop_add_fd(el, f.tfd, EPOLLIN, fake_accept, &f), "tcp server");
	} else {
		f.ufd = ht_bind("127.0.0.1", SOCK_DGRAM, &port);
		ASSERT_OK(evloop_add_fd(el, f.ufd, EPOLLIN, fake_udp, &f), "udp server");
	}
	cfg.query = "www.test";
	cfg.qtype = 1;
	cfg.dns_tcp = tcp;
	cfg.nonempty = nonempty;
	cfg.rise = cfg.fall = 1;
	cfg.timeout_ms = 150;
	cfg.interval_ms = 1000;
	t = ht_target("127.0.0.1", port);
	if (ASSERT_OK(hc_new(el, &cfg, &t, ht_change, &w, &hc), "hc_new")) {
		ht_run_until(el, 2000, want == HC_UP ? ht_changed_to_up : ht_changed_to_down, &w);
		printf("%s mode %d: %s\n", tcp ? "tcp" : "udp", mode, w.reason);
		ASSERT_EQ(w.state, want, "state");
		ASSERT_STREQ(w.reason, reason, "reason");
	}
	hc_free(hc);
	for (int i = 0; i < f.n_conns; i++)
		close(f.conns[i]);
	if (f.ufd >= 0)
		close(f.ufd);
	if (f.tfd >= 0)
		close(f.tfd);
	evloop_free(el);
	test_ctx(NULL);
}

void test_health_dns_fake(void)
{
	fake_case(FAKE_OTHER_ID_THEN_RIGHT, false, true, HC_UP, "1 success: NOERROR, 1 answer");
	fake_case(FAKE_OTHER_ID, false, false, HC_DOWN,
		  "1 failure: timeout after 150 ms: no answer (1 with another id ignored)");
	fake_case(FAKE_OTHER_ID, true, false, HC_DOWN, "1 failure: answer with another id");
	fake_case(FAKE_OTHER_QUESTION, false, false, HC_DOWN,
		  "1 failure: answer to another question");
	fake_case(FAKE_OTHER_QUESTION, true, false, HC_DOWN,
		  "1 failure: answer to another question");
	fake_case(FAKE_MALFORMED, false, false, HC_DOWN,
		  "1 failure: malformed answer: answer section cut short");
	fake_case(FAKE_TC_EMPTY, false, true, HC_UP, "1 success: NOERROR, truncated");
	fake_case(FAKE_CLOSE, true, false, HC_DOWN,
		  "1 failure: connection closed before the answer");
	fake_case(FAKE_SILENT, false, false, HC_DOWN, "1 failure: timeout after 150 ms: no answer");
	fake_case(FAKE_SILENT, true, false, HC_DOWN, "1 failure: timeout after 150 ms: no answer");
}
