// SPDX-License-Identifier: GPL-2.0
/*
 * The tcp checker: a non-blocking connect() to the target's address and
 * port; the probe succeeds when the handshake completes.
 *
 * The socket is then closed with an RST (SO_LINGER 0) rather than a FIN:
 * a check that closes first would leave every probe's connection in
 * TIME_WAIT for a minute on our side, and a thousand checks a second to
 * one backend would run through the ephemeral ports. HAProxy's checks do
 * the same. A server sees a connection that was reset, never data.
 *
 * Writability alone is not taken as success: the loop looks callbacks up
 * by fd number, so a stale event for a closed fd may reach a new socket
 * that reuses the number; SO_ERROR and getpeername() say what really
 * happened.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "health/health.h"
#include "health/socket.h"

struct tcp_probe {
	int fd;
};

static void tcp_close(struct hc_probe *pr)
{
	struct tcp_probe *tp = pr->priv;

	if (!tp)
		return;
	hc_net_close(pr->el, tp->fd, true);
	free(tp);
	pr->priv = NULL;
}

static void tcp_event(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct hc_probe *pr = arg;
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	char detail[HC_DETAIL_MAX];
	int err = 0;
	socklen_t elen = sizeof(err);

	(void)el;
	(void)events;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen))
		err = errno;
	if (!err && getpeername(fd, (struct sockaddr *)&peer, &plen)) {
		if (errno == ENOTCONN)
			return;		/* still connecting: a stale event */
		err = errno;
	}
	if (err)
		snprintf(detail, sizeof(detail), "connect: %s", strerror(err));
	else
		snprintf(detail, sizeof(detail), "connected");
	tcp_close(pr);
	hc_probe_done(pr, !err, detail);
}

static int tcp_start(struct hc_probe *pr)
{
	struct tcp_probe *tp;
	int fd, err;

	snprintf(pr->stage, sizeof(pr->stage), "connect");
	tp = calloc(1, sizeof(*tp));
	if (!tp)
		return -ENOMEM;
	fd = hc_net_connect(pr->target, SOCK_STREAM);
	if (fd < 0) {
		free(tp);
		return fd;
	}
	err = evloop_add_fd(pr->el, fd, EPOLLOUT, tcp_event, pr);
	if (err) {
		close(fd);
		free(tp);
		return err;
	}
	tp->fd = fd;
	pr->priv = tp;
	return 0;
}

const struct hc_checker hc_checker_tcp = {
	.name = "tcp",
	.start = tcp_start,
	.cancel = tcp_close,
};
