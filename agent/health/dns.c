// SPDX-License-Identifier: GPL-2.0
/*
 * The dns checker: one query for the check's name and type to the
 * target, over UDP or (with `tcp`) over TCP with the two-byte length
 * prefix of RFC 1035 4.2.2 (RFC 7766). The messages are dns_msg.c's.
 *
 * The query asks for recursion (RD set): an authoritative server ignores
 * the bit and answers from its zones, while a recursive resolver — the
 * other thing an anycast DNS VIP fronts — needs it to answer at all. There
 * is no EDNS OPT record, so the expected RCODE is the header's 4 bits.
 *
 * The probe succeeds when the response to this query (same id, same
 * question) has the expected RCODE and, with `nonempty`, at least one
 * answer record. Each probe has a fresh socket (a connected one for UDP,
 * so the kernel drops datagrams from any other address) and a random id:
 * a UDP datagram with another id is ignored, and the probe keeps waiting
 * (until the timeout, if nothing better comes), as a resolver would; on
 * TCP, where nothing else can arrive, another id fails the probe, as does
 * a malformed response or one to another question on either transport.
 *
 * A truncated UDP response (TC) is judged on its header and question: the
 * server is up and answered this query with the expected RCODE, which is
 * what the check asks. Since the records after the question are not to
 * be trusted (RFC 2181 9), `nonempty` counts a truncated answer as
 * non-empty — the server had more to say than fit in 512 bytes. A check
 * that wants the whole answer examined uses `tcp`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "health/dns_msg.h"
#include "health/health.h"
#include "health/socket.h"

struct dns_probe {
	int fd;
	bool tcp;
	bool connected;		/* tcp: handshake done */
	uint8_t out[2 + HC_DNS_QUERY_MAX];	/* tcp: length prefix, then the query */
	size_t qlen;		/* the query, without the prefix */
	size_t sent;		/* tcp: bytes of out sent */
	uint8_t lenbuf[2];	/* tcp: the response's length prefix */
	size_t lenbuf_got;
	uint8_t *resp;		/* tcp: the response, resp_len bytes */
	size_t resp_len, resp_got;
	unsigned int other_ids;	/* udp: responses with another id, ignored */
};

/* UDP responses are read here, one at a time: no probe keeps one. */
static uint8_t udp_rx[65536];

static const char *rcode_name(uint8_t rcode, char *buf, size_t len)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
		"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
	};

	if (rcode < sizeof(names) / sizeof(names[0]))
		return names[rcode];
	snprintf(buf, len, "RCODE %u", rcode);
	return buf;
}

static const uint8_t *query_of(const struct dns_probe *dp)
{
	return dp->out + 2;
}

static void dns_free(struct hc_probe *pr)
{
	struct dns_probe *dp = pr->priv;

	if (!dp)
		return;
	hc_net_close(pr->el, dp->fd, dp->tcp);
	free(dp->resp);
	free(dp);
	pr->priv = NULL;
}

static void dns_finish(struct hc_probe *pr, bool ok, const char *detail)
{
	dns_free(pr);
	hc_probe_done(pr, ok, detail);
}

/* A parsed response to our query: the verdict. */
static void dns_judge(struct hc_probe *pr, const struct hc_dns_resp *r)
{
	char detail[HC_DETAIL_MAX], b1[16], b2[16];
	const char *got = rcode_name(r->rcode, b1, sizeof(b1));

	if (r->rcode != pr->cfg->rcode) {
		snprintf(detail, sizeof(detail), "%s, want %s", got,
			 rcode_name(pr->cfg->rcode, b2, sizeof(b2)));
		dns_finish(pr, false, detail);
	} else if (r->tc) {
		snprintf(detail, sizeof(detail), "%s, truncated", got);
		dns_finish(pr, true, detail);
	} else if (pr->cfg->nonempty && !r->answers) {
		snprintf(detail, sizeof(detail), "%s, empty answer", got);
		dns_finish(pr, false, detail);
	} else {
		snprintf(detail, sizeof(detail), "%s, %u answer%s", got, r->answers,
			 r->answers == 1 ? "" : "s");
		dns_finish(pr, true, detail);
	}
}

/* A response read whole; returns false when the probe goes on (udp, another id). */
static bool dns_response(struct hc_probe *pr, const uint8_t *msg, size_t len)
{
	struct dns_probe *dp = pr->priv;
	char detail[HC_DETAIL_MAX];
	struct hc_dns_resp r;
	const char *why = "";
	int err;

	err = hc_dns_resp_parse(msg, len, query_of(dp), dp->qlen, &r, &why);
	if (!err) {
		dns_judge(pr, &r);
		return true;
	}
	if (err == -ESRCH && !dp->tcp) {
		dp->other_ids++;
		snprintf(pr->stage, sizeof(pr->stage), "no answer (%u with another id ignored)",
			 dp->other_ids);
		return false;
	}
	if (err == -ESRCH)
		snprintf(detail, sizeof(detail), "answer with another id");
	else if (err == -EPROTO)
		snprintf(detail, sizeof(detail), "answer to another question");
	else
		snprintf(detail, sizeof(detail), "malformed answer: %s", why);
	dns_finish(pr, false, detail);
	return true;
}

static void dns_fail_errno(struct hc_probe *pr, const char *what, int err)
{
	char detail[HC_DETAIL_MAX];

	snprintf(detail, sizeof(detail), "%s: %s", what, strerror(err));
	dns_finish(pr, false, detail);
}

static void udp_event(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct hc_probe *pr = arg;
	ssize_t n;

	(void)el;
	(void)events;
	for (;;) {
		n = recv(fd, udp_rx, sizeof(udp_rx), 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			/* ICMP port unreachable and the like, on a connected socket */
			dns_fail_errno(pr, "recv", errno);
			return;
		}
		if (dns_response(pr, udp_rx, n))
			return;
	}
}

static void tcp_read(struct hc_probe *pr, int fd)
{
	struct dns_probe *dp = pr->priv;
	ssize_t n;

	for (;;) {
		if (dp->lenbuf_got < 2) {
			n = read(fd, dp->lenbuf + dp->lenbuf_got, 2 - dp->lenbuf_got);
		} else {
			if (!dp->resp) {
				dp->resp_len = (size_t)dp->lenbuf[0] << 8 | dp->lenbuf[1];
				if (dp->resp_len < HC_DNS_HDR_LEN) {
					dns_finish(pr, false, "malformed answer: shorter than a header");
					return;
				}
				dp->resp = malloc(dp->resp_len);
				if (!dp->resp) {
					dns_fail_errno(pr, "read", ENOMEM);
					return;
				}
			}
			n = read(fd, dp->resp + dp->resp_got, dp->resp_len - dp->resp_got);
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			dns_fail_errno(pr, "read", errno);
			return;
		}
		if (!n) {
			dns_finish(pr, false, "connection closed before the answer");
			return;
		}
		if (dp->lenbuf_got < 2) {
			dp->lenbuf_got += n;
			continue;
		}
		dp->resp_got += n;
		if (dp->resp_got == dp->resp_len) {
			dns_response(pr, dp->resp, dp->resp_len);
			return;
		}
	}
}

static void tcp_write(struct hc_probe *pr, int fd)
{
	struct dns_probe *dp = pr->priv;
	size_t total = 2 + dp->qlen;
	ssize_t n;

	while (dp->sent < total) {
		n = send(fd, dp->out + dp->sent, total - dp->sent, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			dns_fail_errno(pr, "send", errno);
			return;
		}
		dp->sent += n;
	}
	snprintf(pr->stage, sizeof(pr->stage), "no answer");
	evloop_mod_fd(pr->el, fd, EPOLLIN);
}

static void tcp_event(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct hc_probe *pr = arg;
	struct dns_probe *dp = pr->priv;

	(void)el;
	if (!dp->connected) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer), elen = sizeof(int);
		int err = 0;

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen))
			err = errno;
		if (!err && getpeername(fd, (struct sockaddr *)&peer, &plen)) {
			if (errno == ENOTCONN)
				return;		/* a stale event: still connecting */
			err = errno;
		}
		if (err) {
			dns_fail_errno(pr, "connect", err);
			return;
		}
		dp->connected = true;
		snprintf(pr->stage, sizeof(pr->stage), "send");
	}
	if (dp->sent < 2 + dp->qlen) {
		if (events & EPOLLOUT)
			tcp_write(pr, fd);
		return;
	}
	tcp_read(pr, fd);
}

static int dns_start(struct hc_probe *pr)
{
	struct dns_probe *dp;
	uint16_t id;
	int n, err;

	if (!pr->cfg->query)
		return -EINVAL;
	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return -ENOMEM;
	dp->fd = -1;
	dp->tcp = pr->cfg->dns_tcp;
	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
		id = (uint16_t)(rand() ^ (uintptr_t)dp);
	n = hc_dns_query_build(dp->out + 2, sizeof(dp->out) - 2, id, pr->cfg->query,
			       pr->cfg->qtype ? pr->cfg->qtype : 1);
	if (n < 0) {
		snprintf(pr->stage, sizeof(pr->stage), "query %s", pr->cfg->query);
		err = n;
		goto fail;
	}
	dp->qlen = n;
	dp->out[0] = n >> 8;
	dp->out[1] = n;

	snprintf(pr->stage, sizeof(pr->stage), dp->tcp ? "connect" : "send");
	dp->fd = hc_net_connect(pr->target, dp->tcp ? SOCK_STREAM : SOCK_DGRAM);
	if (dp->fd < 0) {
		err = dp->fd;
		goto fail;
	}
	if (!dp->tcp) {
		if (send(dp->fd, query_of(dp), dp->qlen, 0) < 0) {
			err = -errno;
			goto fail;
		}
		snprintf(pr->stage, sizeof(pr->stage), "no answer");
	}
	err = evloop_add_fd(pr->el, dp->fd, dp->tcp ? EPOLLOUT : EPOLLIN,
			    dp->tcp ? tcp_event : udp_event, pr);
	if (err)
		goto fail;
	pr->priv = dp;
	return 0;
fail:
	if (dp->fd >= 0)
		close(dp->fd);
	free(dp);
	return err;
}

const struct hc_checker hc_checker_dns = {
	.name = "dns",
	.start = dns_start,
	.cancel = dns_free,
};
