// SPDX-License-Identifier: GPL-2.0
/*
 * Control-socket client (see client.h). One non-blocking socket and
 * poll() against absolute deadlines, so no step can hang past them.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "ctl/client.h"
#include "lib/clock.h"

/* Deadlines here are signed: what is left may go below zero. */
static long long now_ms(void)
{
	return (long long)clock_mono_ms();
}

/* Wait for events on fd until deadline: 1 ready, 0 timed out, -errno. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	long long left;
	int n;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return 0;
		n = poll(&pfd, 1, left > 1000000 ? 1000000 : (int)left);
		if (n > 0)
			return 1;
		if (n == 0)
			continue;
		if (errno != EINTR)
			return -errno;
	}
}

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static int do_connect(const char *path, int *out, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	long long deadline = now_ms() + CTL_CONNECT_TIMEOUT_MS;
	struct stat st;
	int fd, ret;

	if (strlen(path) >= sizeof(sun.sun_path))
		return fail(err, errlen, -ENAMETOOLONG, "socket path too long: %s", path);
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(err, errlen, -errno, "socket: %s", strerror(errno));
	for (;;) {
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			break;
		ret = -errno;
		if (ret == -EINTR)
			continue;
		if (ret == -EAGAIN && now_ms() < deadline) {
			/* the server's backlog is full: a unix socket does
			 * not queue us, so try again shortly */
			poll(NULL, 0, 20);
			continue;
		}
		close(fd);
		switch (ret) {
		case -ENOENT:
			return fail(err, errlen, ret, "xlbd is not running (no socket at %s)", path);
		case -ECONNREFUSED:
			/* a path that is no socket at all refuses too */
			if (!stat(path, &st) && !S_ISSOCK(st.st_mode))
				return fail(err, errlen, -ENOTSOCK,
					    "%s is not a socket (-s names xlbd's control socket, "
					    "`control-socket` in xlb.conf)", path);
			return fail(err, errlen, ret,
				    "xlbd is not running (stale socket at %s, nothing listening)",
				    path);
		case -EACCES:
		case -EPERM:
			return fail(err, errlen, ret,
				    "permission denied on %s: xlbctl needs root or the "
				    "control-socket group",
				    path);
		case -EAGAIN:
			return fail(err, errlen, -ETIMEDOUT,
				    "timed out connecting to xlbd at %s (too busy?)", path);
		default:
			return fail(err, errlen, ret, "cannot connect to %s: %s", path,
				    strerror(-ret));
		}
	}
	*out = fd;
	return 0;
}

/* A socket call failed with ret (-errno): say so, naming the socket. */
static int sock_fail(const char *path, int ret, char *err, size_t errlen)
{
	return fail(err, errlen, ret, "control socket %s: %s", path, strerror(-ret));
}

/* Send the request line. A server that hangs up early (busy, refused)
 * still has an answer worth reading: that is no error, and *sent_all
 * says whether everything went. */
static int request_send(int fd, const char *path, const char *line, size_t len,
			long long deadline, bool *sent_all, char *err, size_t errlen)
{
	size_t off = 0;
	ssize_t n;
	int ret;

	while (off < len) {
		n = send(fd, line + off, len - off, MSG_NOSIGNAL);
		if (n >= 0) {
			off += n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			ret = wait_fd(fd, POLLOUT, deadline);
			if (ret < 0)
				return sock_fail(path, ret, err, errlen);
			if (ret == 0)
				return fail(err, errlen, -ETIMEDOUT,
					    "timed out sending the request to xlbd");
			continue;
		}
		if (errno == EPIPE || errno == ECONNRESET)
			break;
		return sock_fail(path, -errno, err, errlen);
	}
	*sent_all = off == len;
	return 0;
}

/* Read the response into resp->raw until the server closes. */
static int response_read(int fd, const char *path, struct ctl_response *resp, long long deadline,
			 int timeout_ms, char *err, size_t errlen)
{
	ssize_t n;
	int ret;

	for (;;) {
		size_t room = resp->raw.max - resp->raw.len;

		/* the buffer holds one byte more than allowed, to tell a
		 * response of exactly CTL_RESPONSE_MAX from a larger one */
		if (resp->raw.len > CTL_RESPONSE_MAX)
			return fail(err, errlen, -EMSGSIZE, "response from xlbd larger than %u bytes",
				    CTL_RESPONSE_MAX);
		if (buf_reserve(&resp->raw, room < (64u << 10) ? room : (64u << 10)))
			return sock_fail(path, -ENOMEM, err, errlen);
		n = recv(fd, resp->raw.data + resp->raw.len, resp->raw.cap - 1 - resp->raw.len, 0);
		if (n > 0) {
			resp->raw.len += n;
			resp->raw.data[resp->raw.len] = '\0';
			continue;
		}
		if (n == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			ret = wait_fd(fd, POLLIN, deadline);
			if (ret < 0)
				return sock_fail(path, ret, err, errlen);
			if (ret == 0)
				return fail(err, errlen, -ETIMEDOUT,
					    "no %sresponse from xlbd within %d s",
					    resp->raw.len ? "complete " : "",
					    (timeout_ms + 999) / 1000);
			continue;
		}
		/* a server that closes with our bytes unread resets the
		 * connection after its data: that is the end too */
		if (errno == ECONNRESET && resp->raw.len)
			return 0;
		return sock_fail(path, -errno, err, errlen);
	}
}

/* Check the response's head; point resp->body at what follows it. */
static int response_parse(struct ctl_response *resp, bool sent_all, char *err, size_t errlen)
{
	size_t body_off;

	if (resp->raw.len == 0)
		return fail(err, errlen, -EBADMSG, "xlbd closed the connection without a response%s",
			    sent_all ? "" : " (request not sent completely)");
	if (ctl_resp_parse(resp->raw.data, resp->raw.len, &resp->status, resp->msg,
			   sizeof(resp->msg), &body_off))
		return fail(err, errlen, -EBADMSG, "malformed response from xlbd");
	resp->body = resp->raw.data + body_off;
	resp->body_len = resp->raw.len - body_off;
	return 0;
}

int ctl_call(const char *path, const char *line, size_t len, int timeout_ms,
	     struct ctl_response *resp, char *err, size_t errlen)
{
	long long deadline;
	bool sent_all = false;
	int fd = -1, ret;

	memset(resp, 0, sizeof(*resp));
	buf_init(&resp->raw, CTL_RESPONSE_MAX + 1);
	if (err && errlen)
		err[0] = '\0';

	ret = do_connect(path, &fd, err, errlen);
	if (ret)
		return ret;
	deadline = now_ms() + timeout_ms;
	ret = request_send(fd, path, line, len, deadline, &sent_all, err, errlen);
	if (!ret)
		ret = response_read(fd, path, resp, deadline, timeout_ms, err, errlen);
	if (!ret)
		ret = response_parse(resp, sent_all, err, errlen);
	close(fd);
	return ret;
}

void ctl_response_free(struct ctl_response *resp)
{
	buf_free(&resp->raw);
	resp->body = NULL;
	resp->body_len = 0;
}
