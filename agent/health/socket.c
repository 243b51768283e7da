// SPDX-License-Identifier: GPL-2.0
/*
 * Socket helpers of the tcp and dns checkers (see socket.h).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include "health/socket.h"

int hc_net_sockaddr(const struct hc_target *t, struct sockaddr_storage *ss, socklen_t *len)
{
	*len = conf_addr_sockaddr(&t->addr, t->port, ss);
	return *len ? 0 : -EAFNOSUPPORT;
}

int hc_net_connect(const struct hc_target *t, int type)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, err;

	err = hc_net_sockaddr(t, &ss, &len);
	if (err)
		return err;
	fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

void hc_net_close(struct evloop *el, int fd, bool rst)
{
	if (fd < 0)
		return;
	evloop_del_fd(el, fd);
	if (rst) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(fd);
}
