// SPDX-License-Identifier: GPL-2.0
/*
 * One xlbd per control socket, pin path and XDP interface, for its whole
 * life. A second xlbd (the same config started twice, a second unit, `-n`
 * forgotten) must refuse before it touches anything: taking over a
 * datapath is for a restart, when no other xlbd is alive — a second one
 * that took over would adopt the first one's maps, fail on the socket and
 * detach and unpin on its way out, leaving the first without a datapath.
 *
 * So xlbd takes three locks first, each scoped like what it guards, and
 * holds them until exit (the kernel drops them when the process dies,
 * kill -9 included, so a restart after a crash is never refused):
 *
 *  - the control socket: flock on SOCKET.lock beside it (a file: sockets
 *    live in the file system), with the holder's pid written in it;
 *  - the pin path: flock on the pin directory itself (bpffs takes no
 *    regular files), made if it is not there, only with `xdp interface`;
 *  - the XDP interface: a listening abstract unix socket named after its
 *    ifindex. Interfaces belong to a network namespace and so do abstract
 *    socket names: xlb nodes in namespaces of their own, each with an
 *    eth0, do not collide, and two xlbds on one interface do, whatever
 *    their pin paths.
 *
 * A refusal names the pid that holds the lock: /proc/locks for a flock,
 * SO_PEERCRED of a connection to the listening socket for the interface
 * (the listener accepts and closes such connections on the loop).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>

#include "core/xlbd.h"
#include "ctl/server.h"
#include "lib/log.h"

/* The pid holding a flock on fd's file, from /proc/locks; 0 if unknown. */
static pid_t flock_holder(int fd)
{
	unsigned int maj, min;
	unsigned long long ino;
	char line[256], kind[16];
	struct stat st;
	pid_t pid = 0;
	FILE *f;
	int p;

	if (fstat(fd, &st))
		return 0;
	f = fopen("/proc/locks", "re");
	if (!f)
		return 0;
	while (!pid && fgets(line, sizeof(line), f)) {
		/* "1: FLOCK  ADVISORY  WRITE 1234 00:1f:5678 0 EOF"; a waiter
		 * has "->" after the number and is not the holder */
		if (strstr(line, "->") ||
		    sscanf(line, "%*d: %15s %*s %*s %d %x:%x:%llu", kind, &p, &maj, &min, &ino) != 5)
			continue;
		if (!strcmp(kind, "FLOCK") && maj == major(st.st_dev) && min == minor(st.st_dev) &&
		    ino == st.st_ino)
			pid = p;
	}
	fclose(f);
	return pid;
}

/* " (pid N)" or "" */
static const char *pid_str(pid_t pid, char *buf, size_t len)
{
	if (pid > 0)
		snprintf(buf, len, " (pid %d)", (int)pid);
	else
		buf[0] = '\0';
	return buf;
}

/* flock path (open with flags, mode); -EWOULDBLOCK when someone else
 * holds it, with its pid in *holder. */
static int flock_take(const char *path, int flags, mode_t mode, int *out, pid_t *holder)
{
	int fd = open(path, flags | O_CLOEXEC, mode);

	*holder = 0;
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int err = -errno;

		if (err == -EWOULDBLOCK)
			*holder = flock_holder(fd);
		close(fd);
		return err;
	}
	*out = fd;
	return 0;
}

static int lock_socket(struct xlbd *d, const struct xlb_conf *c, char *err, size_t errlen)
{
	char path[PATH_MAX], pid[32];
	pid_t holder;
	int rc;

	if (snprintf(path, sizeof(path), "%s.lock", c->socket_path) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	rc = ctl_socket_dir_create(c->socket_path);
	if (!rc)
		rc = flock_take(path, O_RDWR | O_CREAT, 0644, &d->lock_socket, &holder);
	if (rc == -EWOULDBLOCK) {
		snprintf(err, errlen, "another xlbd%s runs with control socket %s (it holds %s): "
			 "not starting; stop it first (xlbd -n checks a config without starting)",
			 pid_str(holder, pid, sizeof(pid)), c->socket_path, path);
		return rc;
	}
	if (rc) {
		snprintf(err, errlen, "cannot lock %s: %s", path, strerror(-rc));
		return rc;
	}
	/* for people: who runs here (the lock itself is what counts) */
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(d->lock_socket, 0) || pwrite(d->lock_socket, pid, strlen(pid), 0) < 0)
		log_warn("%s: cannot write the pid", path);
	return 0;
}

static int lock_pins(struct xlbd *d, const struct xlb_conf *c, char *err, size_t errlen)
{
	char pid[32];
	pid_t holder;
	int rc;

	if (!mkdir(c->pin_path, 0700))
		d->pins_made = strdup(c->pin_path);
	rc = flock_take(c->pin_path, O_RDONLY | O_DIRECTORY, 0, &d->lock_pins, &holder);
	if (rc == -EWOULDBLOCK) {
		snprintf(err, errlen, "another xlbd%s runs with pin-path %s: not starting (its "
			 "maps and balancer are in use; stop it first)",
			 pid_str(holder, pid, sizeof(pid)), c->pin_path);
		return rc;
	}
	/* no pin directory (no bpffs there): the datapath says why */
	return rc == -ENOENT || rc == -EACCES || rc == -EPERM ? 0 : rc;
}

/* The interface's abstract socket: "\0xlbd-xdp-IFINDEX". */
static socklen_t iface_addr(int ifindex, struct sockaddr_un *sun)
{
	int n;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	n = snprintf(sun->sun_path + 1, sizeof(sun->sun_path) - 1, "xlbd-xdp-%d", ifindex);
	return offsetof(struct sockaddr_un, sun_path) + 1 + n;
}

/* Who listens there (SO_PEERCRED carries the listener's pid); 0 if unknown. */
static pid_t iface_holder(const struct sockaddr_un *sun, socklen_t len)
{
	struct ucred cred = {};
	socklen_t clen = sizeof(cred);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	pid_t pid = 0;

	if (fd < 0)
		return 0;
	if (!connect(fd, (const struct sockaddr *)sun, len) &&
	    !getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen))
		pid = cred.pid;
	close(fd);
	return pid;
}

/* Someone asking who holds the interface: answered by the connection
 * itself (SO_PEERCRED); take it off the backlog. */
static void iface_asked(struct evloop *el, int fd, uint32_t events, void *arg)
{
	int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

	(void)el;
	(void)events;
	(void)arg;
	if (c >= 0)
		close(c);
}

static int lock_iface(struct xlbd *d, const struct xlb_conf *c, int ifindex, char *err,
		      size_t errlen)
{
	struct sockaddr_un sun;
	socklen_t len = iface_addr(ifindex, &sun);
	char pid[32];
	int fd, rc;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sun, len) || listen(fd, 8)) {
		rc = -errno;
		close(fd);
		if (rc != -EADDRINUSE) {
			snprintf(err, errlen, "cannot lock xdp interface %s: %s", c->xdp_ifname,
				 strerror(-rc));
			return rc;
		}
		snprintf(err, errlen, "another xlbd%s runs the balancer on %s: not starting "
			 "(taking it over is for a restart, once that xlbd has stopped)",
			 pid_str(iface_holder(&sun, len), pid, sizeof(pid)), c->xdp_ifname);
		return rc;
	}
	if (evloop_add_fd(d->el, fd, EPOLLIN, iface_asked, d)) {
		close(fd);
		return -ENOMEM;
	}
	d->lock_iface = fd;
	return 0;
}

int xlbd_instance_lock(struct xlbd *d, const struct xlb_conf *c, char *err, size_t errlen)
{
	int ifindex, rc;

	rc = lock_socket(d, c, err, errlen);
	if (rc || !c->xdp_ifname)
		return rc;
	/* no such interface: the datapath says so, and nothing is made */
	ifindex = if_nametoindex(c->xdp_ifname);
	if (!ifindex)
		return 0;
	rc = lock_pins(d, c, err, errlen);
	if (!rc)
		rc = lock_iface(d, c, ifindex, err, errlen);
	if (rc && !err[0])
		snprintf(err, errlen, "cannot lock pin-path %s: %s", c->pin_path, strerror(-rc));
	return rc;
}

void xlbd_instance_unlock(struct xlbd *d)
{
	if (d->lock_iface >= 0) {
		evloop_del_fd(d->el, d->lock_iface);
		close(d->lock_iface);
	}
	/* a pin directory made for a start that failed: empty, so it goes
	 * (one with pins in it stays: -k, or another xlbd's) */
	if (d->pins_made)
		rmdir(d->pins_made);
	free(d->pins_made);
	d->pins_made = NULL;
	if (d->lock_pins >= 0)
		close(d->lock_pins);
	/* the lock file stays: removing it would let a third xlbd lock a new
	 * file while a second still waits on the old one */
	if (d->lock_socket >= 0)
		close(d->lock_socket);
	d->lock_socket = d->lock_pins = d->lock_iface = -1;
}
