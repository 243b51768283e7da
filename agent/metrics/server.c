// SPDX-License-Identifier: GPL-2.0
/*
 * libmicrohttpd on the event loop (see server.h). We make the listening
 * socket ourselves, so bind errors come back as errno and the address
 * family and IPV6_V6ONLY are ours to choose, and hand it to MHD with
 * MHD_OPTION_LISTEN_SOCKET. MHD's log goes to our debug log: what it
 * reports (a client over the limits, a reset connection) is the client's
 * business, not the operator's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <microhttpd.h>

#include "lib/log.h"
#include "metrics/server.h"
#include "metrics/expo.h"

#define METRICS_BACKLOG 16

struct metrics_server {
	struct evloop *el;
	struct MHD_Daemon *mhd;
	int epfd;		/* MHD's epoll fd, in our loop */
	struct ev_timer timer;	/* MHD_get_timeout() */
	metrics_collect_fn collect;
	void *arg;
	uint64_t scrapes;
};

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("metrics: %s", msg);
}

static enum MHD_Result reply_text(struct MHD_Connection *conn, unsigned int status,
				  const char *text, const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct metrics_server *ms = cls;
	struct MHD_Response *r;
	enum MHD_Result ret;
	struct buf page;
	int err;

	(void)version;
	(void)upload_data;
	(void)con_cls;
	/* a body is not read: the answer goes out now and MHD closes the
	 * connection after it */
	*upload_data_size = 0;
	if (strcmp(url, "/metrics"))
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found: try /metrics\n", NULL);
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET\n", "GET, HEAD");

	buf_init(&page, METRICS_PAGE_MAX);
	err = ms->collect(ms->arg, &page);
	if (err) {
		buf_free(&page);
		log_warnx("metrics: cannot build the page: %s", strerror(-err));
		return reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot collect metrics\n",
				  NULL);
	}
	/* MHD takes the page and frees it when sent */
	r = MHD_create_response_from_buffer_with_free_callback(page.len, page.data, free);
	if (!r) {
		buf_free(&page);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, EXPO_CONTENT_TYPE);
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	ms->scrapes++;
	return ret;
}

static void run(struct metrics_server *ms);

static void on_timer(struct evloop *el, void *arg)
{
	(void)el;
	run(arg);
}

static void on_ready(struct evloop *el, int fd, uint32_t events, void *arg)
{
	(void)el;
	(void)fd;
	(void)events;
	run(arg);
}

/* Let MHD do what is ready, then wake up when it has to look again
 * (MHD_get_timeout() is 0 when it has work left right away, and says
 * when the idle timeout of a connection ends). */
static void run(struct metrics_server *ms)
{
	MHD_UNSIGNED_LONG_LONG ms_left;

	MHD_run(ms->mhd);
	if (MHD_get_timeout(ms->mhd, &ms_left) == MHD_YES)
		evloop_timer_set(ms->el, &ms->timer, ms_left, on_timer, ms);
	else
		evloop_timer_cancel(ms->el, &ms->timer);
}

static int listen_socket(const struct conf_addr *a, uint16_t port)
{
	struct sockaddr_storage ss = {};
	socklen_t len;
	int fd, one = 1, v6only;
	int af = a->family == XLB_FAMILY_V4 ? AF_INET : AF_INET6;

	if (af == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = a->addr.v4;
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, a->addr.bytes, sizeof(sin6->sin6_addr));
		len = sizeof(*sin6);
	}
	fd = socket(af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* a restarted xlbd binds again while old connections sit in TIME_WAIT */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		goto fail;
	if (af == AF_INET6) {
		/* :: takes IPv4 too, whatever net.ipv6.bindv6only says */
		v6only = !IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr);
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)))
			goto fail;
	}
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, METRICS_BACKLOG))
		goto fail;
	return fd;
fail:
	one = -errno;
	close(fd);
	return one;
}

int metrics_server_open(struct evloop *el, const struct conf_addr *addr, uint16_t port,
			metrics_collect_fn collect, void *arg, struct metrics_server **out)
{
	const union MHD_DaemonInfo *info;
	struct metrics_server *ms;
	int fd, err;

	*out = NULL;
	ms = calloc(1, sizeof(*ms));
	if (!ms)
		return -ENOMEM;
	ms->el = el;
	ms->collect = collect;
	ms->arg = arg;
	ms->epfd = -1;
	fd = listen_socket(addr, port);
	if (fd < 0) {
		free(ms);
		return fd;
	}
	/* no MHD_USE_INTERNAL_POLLING_THREAD: MHD runs when we call it */
	ms->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request,
				   ms, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, ms,
				   MHD_OPTION_LISTEN_SOCKET, fd,
				   MHD_OPTION_CONNECTION_LIMIT, (unsigned int)METRICS_MAX_CONNS,
				   MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)METRICS_MAX_PER_IP,
				   MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)METRICS_MEM_PER_CONN,
				   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)METRICS_IDLE_S,
				   MHD_OPTION_SIGPIPE_HANDLED_BY_APP, 1, MHD_OPTION_END);
	if (!ms->mhd) {
		/* whether MHD closed the socket on its way out is not said:
		 * close it if it is still ours (no other thread can have
		 * reused the number in between) */
		if (fcntl(fd, F_GETFD) != -1)
			close(fd);
		free(ms);
		return -EIO;
	}
	info = MHD_get_daemon_info(ms->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	err = info ? evloop_add_fd(el, info->epoll_fd, EPOLLIN, on_ready, ms) : -EIO;
	if (err) {
		MHD_stop_daemon(ms->mhd);
		free(ms);
		return err;
	}
	ms->epfd = info->epoll_fd;
	run(ms);
	*out = ms;
	return 0;
}

void metrics_server_close(struct metrics_server *ms)
{
	if (!ms)
		return;
	evloop_timer_cancel(ms->el, &ms->timer);
	if (ms->epfd >= 0)
		evloop_del_fd(ms->el, ms->epfd);
	/* closes the listening socket and every connection */
	MHD_stop_daemon(ms->mhd);
	free(ms);
}

uint16_t metrics_server_port(const struct metrics_server *ms)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(ms->mhd, MHD_DAEMON_INFO_BIND_PORT);

	return info ? info->port : 0;
}

uint64_t metrics_server_scrapes(const struct metrics_server *ms)
{
	return ms ? ms->scrapes : 0;
}
