// SPDX-License-Identifier: GPL-2.0
/*
 * The control-socket server (see server.h). Per client a small state
 * machine on the event loop:
 *
 *   READ   EPOLLIN; bytes into a CTL_LINE_MAX buffer until a newline, EOF
 *          or a full buffer; deadline CTL_READ_TIMEOUT_MS from accept.
 *   (process: credentials, decode, resolve, dispatch; builds the response)
 *   WAIT   a deferred answer (CTL_DEFERRED): no events, deadline
 *          CTL_DEFER_TIMEOUT_MS, until ctl_server_answer();
 *   WRITE  EPOLLOUT; the response written as the socket takes it;
 *          deadline CTL_WRITE_TIMEOUT_MS. Then close.
 *
 * Every socket is non-blocking and written with MSG_NOSIGNAL, so a client
 * that vanishes costs an EPIPE, never a SIGPIPE.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "ctl/commands.h"
#include "ctl/proto.h"
#include "ctl/server.h"
#include "lib/log.h"

#define CTL_BACKLOG		32
#define CTL_ACCEPT_BATCH	32	/* accepts per wakeup, then let others run */
#define CTL_ACCEPT_PAUSE_MS	100	/* after EMFILE and friends */
#define CTL_DRAIN_MAX		(64u << 10) /* unread bytes discarded before close */

struct ctl_client {
	struct ctl_server *srv;
	struct ctl_client *prev, *next;
	int fd;
	bool writing;		/* WRITE state, else READ (or WAIT) */
	uint64_t defer_id;	/* WAIT state: the id its answer comes with; 0 = not waiting */
	bool allowed;		/* credentials passed */
	uid_t uid;
	pid_t pid;
	size_t in_len;
	char in[CTL_LINE_MAX];
	struct buf out;		/* response: head and body */
	size_t out_off;		/* bytes of out already written */
	struct ev_timer timer;	/* read or write deadline */
};

struct ctl_server {
	struct evloop *el;
	int fd;
	char *path;
	dev_t dev;		/* identity of the socket file we bound */
	ino_t ino;
	bool has_group;
	gid_t gid;
	char *group;
	ctl_dispatch_fn fn;
	void *arg;
	struct ctl_client *clients;
	unsigned n_clients;
	struct ev_timer pause;	/* accepting paused after EMFILE */
	bool in_dispatch;
	bool close_pending;	/* ctl_server_close() called from dispatch */
	struct ctl_client *dispatching;	/* the client being dispatched */
	uint64_t next_defer_id;
};

int ctl_group_resolve(const char *name, gid_t *gid)
{
	long size = sysconf(_SC_GETGR_R_SIZE_MAX);
	struct group grp, *res = NULL;
	char *mem = NULL;
	int ret;

	if (size <= 0)
		size = 1024;
	for (;;) {
		char *p = realloc(mem, size);

		if (!p) {
			ret = -ENOMEM;
			goto out;
		}
		mem = p;
		ret = getgrnam_r(name, &grp, mem, size, &res);
		if (ret != ERANGE || size >= (1 << 20))
			break;
		size *= 2;
	}
	if (ret) {
		ret = -ret;
		goto out;
	}
	if (!res) {
		ret = -ENOENT;
		goto out;
	}
	*gid = grp.gr_gid;
out:
	free(mem);
	return ret;
}

unsigned ctl_server_clients(const struct ctl_server *s)
{
	return s->n_clients;
}

/* ---- clients ---- */

static void client_free(struct ctl_client *c)
{
	struct ctl_server *s = c->srv;
	char sink[4096];
	size_t drained = 0;
	ssize_t n;

	/* Unread bytes at close make the kernel reset the peer's side
	 * (ECONNRESET after our response); read what is already there. */
	while (drained < CTL_DRAIN_MAX) {
		n = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (n <= 0)
			break;
		drained += n;
	}
	evloop_timer_cancel(s->el, &c->timer);
	evloop_del_fd(s->el, c->fd);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->n_clients--;
	buf_free(&c->out);
	free(c);
}

static void client_timeout(struct evloop *el, void *arg);

static void client_write(struct ctl_client *c)
{
	ssize_t n;

	while (c->out_off < c->out.len) {
		n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			log_debug("control socket: client pid %d went away: %s", (int)c->pid,
				  strerror(errno));
			break;
		}
		c->out_off += n;
	}
	client_free(c);
}

/* Queue the response and start writing it. May free c. */
static void respond(struct ctl_client *c, enum ctl_status status, const char *msg,
		    const struct buf *body)
{
	struct ctl_server *s = c->srv;

	buf_reset(&c->out);
	ctl_resp_head(&c->out, status, msg);
	if (body && body->len)
		buf_append(&c->out, body->data, body->len);
	if (c->out.err) {
		/* only memory can fail here: send what explains it */
		buf_reset(&c->out);
		ctl_resp_head(&c->out, CTL_ERR_RUNTIME, "out of memory");
	}
	c->writing = true;
	c->out_off = 0;
	if (evloop_mod_fd(s->el, c->fd, EPOLLOUT) ||
	    evloop_timer_set(s->el, &c->timer, CTL_WRITE_TIMEOUT_MS, client_timeout, c)) {
		client_free(c);
		return;
	}
	client_write(c);
}

static void really_close(struct ctl_server *s);

/* A whole request (or what the client sent before EOF, or a full
 * buffer): answer it. May free c. */
static void client_process(struct ctl_client *c)
{
	struct ctl_server *s = c->srv;
	char err[CTL_MSG_MAX], words[64];
	struct ctl_request req;
	struct ctl_line line;
	struct buf body;
	int ret;

	buf_init(&body, CTL_BODY_MAX);
	err[0] = '\0';
	if (!c->allowed) {
		snprintf(err, sizeof(err),
			 "permission denied: uid %u is not root%s%s", (unsigned)c->uid,
			 s->has_group ? " nor in group " : "", s->has_group ? s->group : "");
		respond(c, CTL_ERR_RUNTIME, err, NULL);
		goto out;
	}
	if (ctl_req_decode(c->in, c->in_len, &line, err, sizeof(err))) {
		log_debug("control socket: bad request from pid %d: %s", (int)c->pid, err);
		respond(c, CTL_ERR_USAGE, err, NULL);
		goto out;
	}
	ret = ctl_resolve(line.argc, line.argv, &req, err, sizeof(err), &body);
	if (ret == CTL_HELP) {
		respond(c, CTL_OK, NULL, &body);
		goto out;
	}
	if (ret) {
		respond(c, CTL_ERR_USAGE, err[0] ? err : "cannot resolve the command", &body);
		goto out;
	}
	buf_reset(&body);
	if (req.cmd->flags & CTL_CMD_F_LOCAL) {
		ctl_cmd_format(req.cmd, words, sizeof(words));
		snprintf(err, sizeof(err), "'%s' is answered by xlbctl itself, not by xlbd", words);
		respond(c, CTL_ERR_USAGE, err, NULL);
		goto out;
	}
	if (req.cmd->flags & CTL_CMD_F_PLANNED) {
		ctl_cmd_format(req.cmd, words, sizeof(words));
		snprintf(err, sizeof(err), "'%s' is not implemented yet in this xlbd", words);
		respond(c, CTL_ERR_RUNTIME, err, NULL);
		goto out;
	}

	s->in_dispatch = true;
	s->dispatching = c;
	ret = s->fn(s->arg, &req, line.json, &body, err, sizeof(err));
	s->dispatching = NULL;
	s->in_dispatch = false;
	err[sizeof(err) - 1] = '\0';
	if (ret == CTL_DEFERRED && c->defer_id) {
		/* the handler answers later: wait, reading nothing more */
		if (evloop_mod_fd(s->el, c->fd, 0) ||
		    evloop_timer_set(s->el, &c->timer, CTL_DEFER_TIMEOUT_MS, client_timeout, c))
			client_free(c);
	} else if (body.err) {
		respond(c, CTL_ERR_RUNTIME,
			body.err == -ENOBUFS ? "response too large" : "out of memory", NULL);
	} else if (ret == CTL_OK) {
		respond(c, CTL_OK, NULL, &body);
	} else if (ret == CTL_ERR_RUNTIME || ret == CTL_ERR_USAGE) {
		respond(c, ret, err, &body);
	} else {
		ctl_cmd_format(req.cmd, words, sizeof(words));
		log_warnx("control socket: '%s' handler returned %d", words, ret);
		respond(c, CTL_ERR_RUNTIME, "internal error", NULL);
	}
	if (s->close_pending)
		really_close(s);
out:
	buf_free(&body);
}

static void client_read(struct ctl_client *c)
{
	size_t old;
	ssize_t n;

	for (;;) {
		if (c->in_len == sizeof(c->in)) {
			/* full and no newline: the decoder says "too long" */
			client_process(c);
			return;
		}
		n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			client_free(c);
			return;
		}
		if (n == 0) {
			/* EOF: nothing sent is a probe or a change of mind;
			 * a partial line gets its error if the peer still reads */
			if (c->in_len == 0)
				client_free(c);
			else
				client_process(c);
			return;
		}
		old = c->in_len;
		c->in_len += n;
		if (memchr(c->in + old, '\n', n)) {
			client_process(c);
			return;
		}
	}
}

static void client_event(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct ctl_client *c = arg;

	(void)el;
	(void)fd;
	if (c->defer_id) {
		/* waiting with no events asked for: only a hangup or an error
		 * wakes us; the answer has nobody to go to */
		if (events & (EPOLLHUP | EPOLLERR))
			client_free(c);
		return;
	}
	if (c->writing)
		client_write(c);
	else
		client_read(c);
}

uint64_t ctl_server_defer(struct ctl_server *s)
{
	if (!s->dispatching)
		return 0;
	s->dispatching->defer_id = ++s->next_defer_id;
	return s->dispatching->defer_id;
}

int ctl_server_answer(struct ctl_server *s, uint64_t id, int status, const char *msg,
		      const struct buf *body)
{
	struct ctl_client *c;

	if (!id)
		return -ENOENT;
	for (c = s->clients; c; c = c->next)
		if (c->defer_id == id)
			break;
	if (!c)
		return -ENOENT;
	c->defer_id = 0;
	if (body && body->err)
		respond(c, CTL_ERR_RUNTIME,
			body->err == -ENOBUFS ? "response too large" : "out of memory", NULL);
	else
		respond(c, status, status == CTL_OK ? NULL : msg, body);
	return 0;
}

static void client_timeout(struct evloop *el, void *arg)
{
	struct ctl_client *c = arg;
	char msg[96];

	(void)el;
	if (c->defer_id) {
		log_debug("control socket: no answer for pid %d in %d ms", (int)c->pid,
			  CTL_DEFER_TIMEOUT_MS);
		c->defer_id = 0;
		respond(c, CTL_ERR_RUNTIME, "timed out waiting for the answer (nothing was undone)",
			NULL);
		return;
	}
	if (c->writing) {
		log_debug("control socket: pid %d did not read its response in %d ms",
			  (int)c->pid, CTL_WRITE_TIMEOUT_MS);
		client_free(c);
		return;
	}
	log_debug("control socket: pid %d sent no request in %d ms", (int)c->pid,
		  CTL_READ_TIMEOUT_MS);
	snprintf(msg, sizeof(msg), "timed out waiting for the request line (%d ms)",
		 CTL_READ_TIMEOUT_MS);
	respond(c, CTL_ERR_USAGE, msg, NULL);
}

/* SO_PEERGROUPS: the peer's supplementary groups as of connect(). */
static bool peer_in_groups(int fd, gid_t gid)
{
	gid_t small[64], *groups = small;
	socklen_t len = sizeof(small);
	bool found = false;
	size_t i;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len)) {
		if (errno != ERANGE || len == 0)
			return false;
		groups = malloc(len);
		if (!groups)
			return false;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len)) {
			free(groups);
			return false;
		}
	}
	for (i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == gid)
			found = true;
	if (groups != small)
		free(groups);
	return found;
}

/* Past CTL_CLIENTS_MAX: say so and hang up, without a slot. */
static void reject_busy(int fd)
{
	static const char msg[] = "error 1 busy: too many control connections, try again\n";
	char sink[CTL_LINE_MAX];
	ssize_t n;

	n = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
	(void)n;
	n = send(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	(void)n;
	close(fd);
}

static void accept_event(struct evloop *el, int fd, uint32_t events, void *arg);

static void accept_resume(struct evloop *el, void *arg)
{
	struct ctl_server *s = arg;

	evloop_mod_fd(el, s->fd, EPOLLIN);
}

static void accept_event(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct ctl_server *s = arg;
	struct ctl_client *c;
	struct ucred cred;
	socklen_t len;
	int i, cfd;

	(void)events;
	for (i = 0; i < CTL_ACCEPT_BATCH; i++) {
		cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			/* EMFILE, ENFILE, ENOBUFS, ENOMEM: the connection stays
			 * queued and the listener readable; pause, don't spin */
			log_warn("control socket: accept");
			evloop_mod_fd(el, fd, 0);
			evloop_timer_set(el, &s->pause, CTL_ACCEPT_PAUSE_MS, accept_resume, s);
			return;
		}
		if (s->n_clients >= CTL_CLIENTS_MAX) {
			log_debug("control socket: %d clients, refusing one", CTL_CLIENTS_MAX);
			reject_busy(cfd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(cfd);
			continue;
		}
		c->srv = s;
		c->fd = cfd;
		buf_init(&c->out, CTL_BODY_MAX + CTL_HEAD_MAX);
		len = sizeof(cred);
		if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
			c->uid = cred.uid;
			c->pid = cred.pid;
			c->allowed = cred.uid == 0 || cred.uid == geteuid() ||
				     (s->has_group && (cred.gid == s->gid || peer_in_groups(cfd, s->gid)));
		} else {
			c->uid = (uid_t)-1;
		}
		if (!c->allowed)
			log_warnx("control socket: refusing uid %u pid %d: not root%s%s",
				  (unsigned)c->uid, (int)c->pid, s->has_group ? " nor in group " : "",
				  s->has_group ? s->group : "");
		if (evloop_add_fd(el, cfd, EPOLLIN, client_event, c) ||
		    evloop_timer_set(el, &c->timer, CTL_READ_TIMEOUT_MS, client_timeout, c)) {
			evloop_del_fd(el, cfd);
			close(cfd);
			free(c);
			continue;
		}
		c->next = s->clients;
		if (s->clients)
			s->clients->prev = c;
		s->clients = c;
		s->n_clients++;
	}
}

/* ---- the socket ---- */

/* mkdir -p the directory part of path; directories created are 0755
 * whatever the umask. */
static int mkdir_parents(const char *path)
{
	char *dir = strdup(path), *p;
	struct stat st;
	int ret = 0;

	if (!dir)
		return -ENOMEM;
	p = strrchr(dir, '/');
	if (!p || p == dir)
		goto out;	/* relative name in ".", or in "/" */
	*p = '\0';
	for (p = dir + 1;; p++) {
		char c = *p;

		if ((c != '/' && c != '\0') || p[-1] == '/')
			continue;	/* inside a name, or "//" */
		*p = '\0';
		if (mkdir(dir, 0755) == 0) {
			if (chmod(dir, 0755)) {
				ret = -errno;
				goto out;
			}
		} else if (errno != EEXIST) {
			ret = -errno;
			goto out;
		}
		*p = c;
		if (!c)
			break;
	}
	if (stat(dir, &st)) {
		ret = -errno;
		goto out;
	}
	if (!S_ISDIR(st.st_mode))
		ret = -ENOTDIR;
out:
	free(dir);
	return ret;
}

int ctl_socket_dir_create(const char *path)
{
	return mkdir_parents(path);
}

/* A socket file at path: remove it if nobody listens there. */
static int remove_stale(const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, ret;

	if (lstat(sun->sun_path, &st)) {
		if (errno == ENOENT)
			return 0;
		return -errno;
	}
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0) {
		ret = -EADDRINUSE;	/* a live server: another xlbd */
	} else if (errno == EAGAIN) {
		ret = -EADDRINUSE;	/* listening, backlog full */
	} else if (errno == ECONNREFUSED) {
		ret = unlink(sun->sun_path) && errno != ENOENT ? -errno : 0;
	} else {
		ret = -errno;
	}
	close(fd);
	return ret;
}

/* Stop listening and remove the file; clients stay. */
static void stop_listening(struct ctl_server *s)
{
	struct stat st;

	evloop_timer_cancel(s->el, &s->pause);
	if (s->fd >= 0) {
		evloop_del_fd(s->el, s->fd);
		close(s->fd);
		s->fd = -1;
	}
	/* remove the file only if it is still ours (not a successor's) */
	if (s->ino && !lstat(s->path, &st) && st.st_dev == s->dev && st.st_ino == s->ino)
		unlink(s->path);
	s->ino = 0;
}

static void really_close(struct ctl_server *s)
{
	while (s->clients)
		client_free(s->clients);
	stop_listening(s);
	free(s->path);
	free(s->group);
	free(s);
}

void ctl_server_close(struct ctl_server *s)
{
	if (!s)
		return;
	if (s->in_dispatch) {
		/* The client being answered still needs s: free it after the
		 * dispatch, but free the path now so a new server (a reload
		 * that changed the socket's group) can be opened there. */
		stop_listening(s);
		s->close_pending = true;
		return;
	}
	really_close(s);
}

int ctl_server_open(struct evloop *el, const char *path, const char *group,
		    ctl_dispatch_fn fn, void *arg, struct ctl_server **out)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ctl_server *s;
	struct stat st;
	mode_t old_mask;
	int ret;

	if (!path || !*path || !fn)
		return -EINVAL;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->el = el;
	s->fd = -1;
	s->fn = fn;
	s->arg = arg;
	s->path = strdup(path);
	if (!s->path) {
		ret = -ENOMEM;
		goto err;
	}
	if (group) {
		ret = ctl_group_resolve(group, &s->gid);
		if (ret)
			goto err;
		s->group = strdup(group);
		if (!s->group) {
			ret = -ENOMEM;
			goto err;
		}
		s->has_group = true;
	}

	ret = mkdir_parents(path);
	if (ret)
		goto err;
	ret = remove_stale(&sun);
	if (ret)
		goto err;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		ret = -errno;
		goto err;
	}
	/* the file is born 0600, never briefly open to all */
	old_mask = umask(0177);
	ret = bind(s->fd, (struct sockaddr *)&sun, sizeof(sun)) ? -errno : 0;
	umask(old_mask);
	if (ret)
		goto err;
	if (lstat(path, &st)) {
		ret = -errno;
		goto err;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	/* root:GROUP; an unprivileged xlbd (tests, development) keeps the
	 * file as its own and only sets the group */
	if (geteuid() == 0)
		ret = chown(path, 0, s->has_group ? s->gid : 0);
	else
		ret = s->has_group ? chown(path, -1, s->gid) : 0;
	if (ret || chmod(path, 0660)) {
		ret = -errno;
		goto err;
	}
	if (listen(s->fd, CTL_BACKLOG)) {
		ret = -errno;
		goto err;
	}
	ret = evloop_add_fd(el, s->fd, EPOLLIN, accept_event, s);
	if (ret)
		goto err;
	*out = s;
	return 0;
err:
	really_close(s);
	return ret;
}
