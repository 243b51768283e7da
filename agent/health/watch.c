// SPDX-License-Identifier: GPL-2.0
/*
 * Events that fail a host-mode check at once, next to its probes:
 *  - `watch-socket`: the service's listening or bound socket closing for
 *    good (sockwatch.c; one socket watch for the whole process, whose
 *    sockets open with the first check that needs them and close with
 *    the last);
 *  - `watch-pidfile`: the process named in a PID file exiting, seen on a
 *    pidfd. The file is read when the check starts and again after each
 *    passing probe while no live process is watched, so a restarted
 *    service is watched again once its check passes; a file that names
 *    no running process is left alone (the probes decide).
 * Either calls the function the check gave (hc_event_down). A watch that cannot start (no
 * CAP_NET_ADMIN for the groups, say) is logged and left out: the probes
 * still run, only slower to see a death.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>
#include <sys/pidfd.h>

#include "health/watch.h"
#include "health/sockwatch.h"
#include "lib/json.h"
#include "lib/log.h"

/* what a watch puts into the detail it reports */
#define WATCH_DETAIL_MAX 160

struct hc_watch {
	hc_watch_down_fn down;
	void *down_arg;
	struct evloop *el;
	const struct conf_health *cfg;	/* the check's own copy */
	const char *label;
	struct sockwatch_entry *sock[CONF_WATCH_SOCKETS_MAX];
	size_t n_sock;
	bool sw_user;			/* has entries in g_sw */
	int pidfd;			/* -1: no process watched */
	pid_t pid;
};

/* the process-wide socket watch (its sockets open only while some check
 * uses it) */
static struct sockwatch *g_sw;

static void socket_gone(void *arg, const char *detail)
{
	struct hc_watch *w = arg;
	char d[WATCH_DETAIL_MAX];

	snprintf(d, sizeof(d), "watch-socket %s", detail);
	w->down(w->down_arg, d);
}

static int sock_start(struct hc_watch *w)
{
	size_t i;
	int err;

	if (!w->cfg->n_watch_socket)
		return 0;
	if (!g_sw) {
		err = sockwatch_new(w->el, &g_sw);
		if (err)
			return err;
	}
	w->sw_user = true;
	for (i = 0; i < w->cfg->n_watch_socket; i++) {
		const struct conf_watch_socket *c = &w->cfg->watch_socket[i];
		struct sockdiag_want want = { .addr = c->addr, .port = c->port, .proto = c->proto };

		err = sockwatch_add(g_sw, &want, socket_gone, w, &w->sock[w->n_sock]);
		if (err)
			return err;
		w->n_sock++;
	}
	return 0;
}

static void sock_stop(struct hc_watch *w)
{
	size_t i;

	if (!w->sw_user)
		return;
	for (i = 0; i < w->n_sock; i++)
		sockwatch_del(g_sw, w->sock[i]);
	w->n_sock = 0;
	w->sw_user = false;
	/* the last entry gone closes the watch's sockets; the struct stays
	 * (a check may be freed from the watch's own callback, and the next
	 * check with a watch takes it again) */
}

static void pid_stop(struct hc_watch *w)
{
	if (w->pidfd < 0)
		return;
	evloop_del_fd(w->el, w->pidfd);
	close(w->pidfd);
	w->pidfd = -1;
}

static void pid_exited(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct hc_watch *w = arg;
	char d[WATCH_DETAIL_MAX];

	(void)el;
	(void)fd;
	(void)events;
	snprintf(d, sizeof(d), "watch-pidfile: process %d exited", (int)w->pid);
	pid_stop(w);
	w->down(w->down_arg, d);
}

/* The PID in the file: a decimal number, white space around it. */
static pid_t pidfile_read(const char *path)
{
	char buf[32], *end;
	ssize_t n;
	long v;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ENODATA;
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	while (*end == ' ' || *end == '\n' || *end == '\t' || *end == '\r')
		end++;
	if (errno || *end || v <= 1 || v > 0x3fffffff)
		return -EINVAL;
	return (pid_t)v;
}

/* Watch the process the PID file names, if it runs. */
static void pid_start(struct hc_watch *w)
{
	pid_t pid;
	int fd, err;

	if (!w->cfg->watch_pidfile || w->pidfd >= 0)
		return;
	pid = pidfile_read(w->cfg->watch_pidfile);
	if (pid < 0) {
		log_debug("%s: watch-pidfile %s: %s", w->label, w->cfg->watch_pidfile,
			  strerror(-pid));
		return;
	}
	fd = pidfd_open(pid, 0);
	if (fd < 0) {
		log_debug("%s: watch-pidfile %s: process %d: %s", w->label,
			  w->cfg->watch_pidfile, (int)pid, strerror(errno));
		return;
	}
	/* a process that has exited but not been reaped yet: a stale file,
	 * not a new death */
	if (poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1, 0) > 0) {
		close(fd);
		return;
	}
	err = evloop_add_fd(w->el, fd, EPOLLIN, pid_exited, w);
	if (err) {
		close(fd);
		log_warnx("%s: watch-pidfile: %s", w->label, strerror(-err));
		return;
	}
	w->pidfd = fd;
	w->pid = pid;
	log_debug("%s: watching process %d (%s)", w->label, (int)pid, w->cfg->watch_pidfile);
}

int hc_watch_new(struct evloop *el, const struct conf_health *cfg, const char *label,
		 hc_watch_down_fn down, void *arg, struct hc_watch **out)
{
	struct hc_watch *w;
	int err;

	*out = NULL;
	if (!cfg->n_watch_socket && !cfg->watch_pidfile)
		return 0;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->down = down;
	w->down_arg = arg;
	w->el = el;
	w->cfg = cfg;
	w->label = label ? label : "health check";
	w->pidfd = -1;
	err = sock_start(w);
	if (err) {
		log_warnx("%s: watch-socket not started (%s): the probes alone will see the "
			  "service go", w->label, strerror(-err));
		sock_stop(w);
	}
	pid_start(w);
	*out = w;
	return 0;
}

void hc_watch_free(struct hc_watch *w)
{
	if (!w)
		return;
	sock_stop(w);
	pid_stop(w);
	free(w);
}

void hc_watch_probe_ok(struct hc_watch *w)
{
	if (w)
		pid_start(w);
}

void hc_watch_show(const struct hc_watch *w, const struct conf_health *cfg,
		   struct json_writer *json)
{
	unsigned long long looked = 0, fired = 0, l, f;
	char buf[CONF_VIP_STRLEN];
	size_t i;

	if (!cfg->n_watch_socket && !cfg->watch_pidfile) {
		json_null(json);
		return;
	}
	json_object_start(json);
	json_key(json, "sockets");
	json_array_start(json);
	for (i = 0; i < cfg->n_watch_socket; i++) {
		conf_watch_socket_format(&cfg->watch_socket[i], buf, sizeof(buf));
		json_string(json, buf);
	}
	json_array_end(json);
	for (i = 0; w && i < w->n_sock; i++) {
		sockwatch_entry_counts(w->sock[i], &l, &f);
		looked += l;
		fired += f;
	}
	json_kv_bool(json, "socket_watch_running", w && w->n_sock);
	json_kv_u64(json, "sockets_looked_at", looked);
	json_kv_u64(json, "sockets_gone", fired);
	if (cfg->watch_pidfile) {
		json_kv_string(json, "pidfile", cfg->watch_pidfile);
		json_kv_u64(json, "pid", w && w->pidfd >= 0 ? (uint64_t)w->pid : 0);
	}
	json_object_end(json);
}
