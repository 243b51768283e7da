// SPDX-License-Identifier: GPL-2.0
/*
 * The exec checker: `/bin/sh -c COMMAND` as the check's user (default
 * nobody); exit status 0 is a success, anything else — another status, a
 * signal, a command that could not be started — a failure.
 *
 * The child runs in a process group of its own, with stdin from
 * /dev/null, stdout and stderr into one pipe (the first HC_EXEC_OUT_MAX
 * bytes are kept: their first line goes into the probe's detail), the
 * working directory /, an empty signal mask, default signal dispositions,
 * no fd but 0-2, the user's uid, gid and groups, no capability in any
 * set and no_new_privs (privs_child_drop), and this environment:
 *	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
 *	HOME, USER, LOGNAME (the user's), SHELL=/bin/sh
 *	XLB_ADDRESS	the probed address (the backend's, or the VIP's)
 *	XLB_PORT	the VIP's port, when it has one
 *	XLB_TARGET	the target's label, as logs write it
 * The user is looked up (getpwnam_r) at every probe, before fork(), so the
 * child only makes async-signal-safe calls. Dropping to another user needs
 * root; a daemon that is not root can only run commands as itself.
 *
 * The child is reaped through a pidfd (pidfd_open) on the loop, not
 * SIGCHLD, which the daemon does not watch: the probe ends when the
 * pidfd says the shell has exited. Nothing the command started outlives
 * the probe: before the shell is reaped (so that its pid, which is the
 * group's id, cannot have been reused), its whole process group is sent
 * SIGKILL — on a timeout, to end the command, and after a normal exit, to
 * end whatever it left in the background. A command that leaves its
 * process group (setsid) escapes this, as it means to.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/close_range.h>
#include <sys/pidfd.h>
#include <sys/wait.h>

#include "health/health.h"
#include "lib/privdrop.h"

#define HC_EXEC_OUT_MAX		256	/* output kept for the detail */
#define HC_EXEC_GROUPS_MAX	64	/* supplementary groups kept */
#define HC_EXEC_REAP_WAIT_MS	50	/* after SIGKILL, before reaping later */
#define ENV_MAX			10

static const char exec_path[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct exec_probe {
	pid_t pid;		/* also the process group's id */
	int pidfd;
	int outfd;		/* read end of the output pipe; -1 once closed */
	char out[HC_EXEC_OUT_MAX];
	size_t out_len;
};

/* Everything the child needs, prepared before fork(). */
struct exec_plan {
	uid_t uid;
	gid_t gid;
	gid_t groups[HC_EXEC_GROUPS_MAX];
	int n_groups;
	bool drop;		/* change user (else: already running as it) */
	char *argv[4];
	char *envp[ENV_MAX + 1];
	char env[ENV_MAX][256];
};

/* ---- the child ---- */

/* async-signal-safe: a message and an errno number to the output pipe */
static void child_fail(const char *what, int err)
{
	char num[12];
	size_t i = sizeof(num);
	ssize_t r;

	do {
		num[--i] = '0' + err % 10;
		err /= 10;
	} while (err && i);
	r = write(STDERR_FILENO, "xlbd exec: ", 11);
	r = write(STDERR_FILENO, what, strlen(what));
	r = write(STDERR_FILENO, ": errno ", 8);
	r = write(STDERR_FILENO, num + i, sizeof(num) - i);
	r = write(STDERR_FILENO, "\n", 1);
	(void)r;
	_exit(126);
}

static void child_run(const struct exec_plan *pl, int outfd)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t none;
	int sig, fd, err;

	setpgid(0, 0);
	sigemptyset(&none);
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);	/* fails harmlessly for KILL, STOP, RT */
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (outfd != STDOUT_FILENO && dup2(outfd, STDOUT_FILENO) < 0)
		_exit(126);
	if (dup2(STDOUT_FILENO, STDERR_FILENO) < 0)
		_exit(126);
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0)
		child_fail("open /dev/null", errno);
	if (fd != STDIN_FILENO) {
		if (dup2(fd, STDIN_FILENO) < 0)
			child_fail("dup2", errno);
	}
	close_range(3, ~0U, 0);
	if (chdir("/"))
		child_fail("chdir /", errno);
	if (pl->drop) {
		if (setgroups(pl->n_groups, pl->groups))
			child_fail("setgroups", errno);
		if (setgid(pl->gid))
			child_fail("setgid", errno);
		if (setuid(pl->uid))
			child_fail("setuid", errno);
	}
	/* the command gets no capability, whoever it runs as, and cannot
	 * gain one through a setuid program */
	err = privs_child_drop();
	if (err)
		child_fail("dropping capabilities", -err);
	execve("/bin/sh", pl->argv, pl->envp);
	child_fail("exec /bin/sh", errno);
}

/* ---- the daemon's side ---- */

static int plan_make(struct hc_probe *pr, struct exec_plan *pl)
{
	const char *user = pr->cfg->user ? pr->cfg->user : "nobody";
	const struct hc_target *t = pr->target;
	char addr[INET6_ADDRSTRLEN] = "";
	struct passwd pw, *res = NULL;
	char pwbuf[4096];
	int n = 0, err;

	err = getpwnam_r(user, &pw, pwbuf, sizeof(pwbuf), &res);
	if (err || !res) {
		snprintf(pr->stage, sizeof(pr->stage), "user %s", user);
		return err ? -err : -ENOENT;
	}
	pl->uid = pw.pw_uid;
	pl->gid = pw.pw_gid;
	pl->drop = !(getuid() == pw.pw_uid && geteuid() == pw.pw_uid &&
		     getgid() == pw.pw_gid && getegid() == pw.pw_gid);
	pl->n_groups = HC_EXEC_GROUPS_MAX;
	if (getgrouplist(pw.pw_name, pw.pw_gid, pl->groups, &pl->n_groups) < 0) {
		/* more than we keep: the first HC_EXEC_GROUPS_MAX */
		pl->n_groups = HC_EXEC_GROUPS_MAX;
	}

	if (t->addr.family)
		inet_ntop(t->addr.family == XLB_FAMILY_V6 ? AF_INET6 : AF_INET,
			  t->addr.addr.bytes, addr, sizeof(addr));
	snprintf(pl->env[n++], sizeof(pl->env[0]), "%s", exec_path);
	snprintf(pl->env[n++], sizeof(pl->env[0]), "HOME=%s", pw.pw_dir ? pw.pw_dir : "/");
	snprintf(pl->env[n++], sizeof(pl->env[0]), "USER=%s", pw.pw_name);
	snprintf(pl->env[n++], sizeof(pl->env[0]), "LOGNAME=%s", pw.pw_name);
	snprintf(pl->env[n++], sizeof(pl->env[0]), "SHELL=/bin/sh");
	if (addr[0])
		snprintf(pl->env[n++], sizeof(pl->env[0]), "XLB_ADDRESS=%s", addr);
	if (t->port)
		snprintf(pl->env[n++], sizeof(pl->env[0]), "XLB_PORT=%u", t->port);
	if (t->label)
		snprintf(pl->env[n++], sizeof(pl->env[0]), "XLB_TARGET=%s", t->label);
	for (int i = 0; i < n; i++)
		pl->envp[i] = pl->env[i];
	pl->envp[n] = NULL;
	pl->argv[0] = "sh";
	pl->argv[1] = "-c";
	pl->argv[2] = pr->cfg->command;
	pl->argv[3] = NULL;
	return 0;
}

/* A pidfd whose process was sent SIGKILL but had not exited after
 * HC_EXEC_REAP_WAIT_MS (stuck in the kernel): reaped when it exits. */
struct reaper {
	int pidfd;
};

static void reaper_event(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct reaper *rp = arg;
	siginfo_t si = {};

	(void)events;
	if (waitid(P_PIDFD, fd, &si, WEXITED | WNOHANG) == 0 && !si.si_pid)
		return;
	evloop_del_fd(el, fd);
	close(fd);
	free(rp);
}

/* SIGKILL the process group, then reap the shell: at once if it is gone,
 * else after a short wait, else later on the loop. */
static void exec_kill_reap(struct evloop *el, struct exec_probe *ep)
{
	struct pollfd pfd = { .fd = ep->pidfd, .events = POLLIN };
	siginfo_t si = {};
	struct reaper *rp;

	kill(-ep->pid, SIGKILL);
	if (waitid(P_PIDFD, ep->pidfd, &si, WEXITED | WNOHANG) == 0 && !si.si_pid) {
		poll(&pfd, 1, HC_EXEC_REAP_WAIT_MS);
		si.si_pid = 0;
		if (waitid(P_PIDFD, ep->pidfd, &si, WEXITED | WNOHANG) == 0 && !si.si_pid) {
			rp = malloc(sizeof(*rp));
			if (rp && !evloop_add_fd(el, ep->pidfd, EPOLLIN, reaper_event, rp)) {
				rp->pidfd = ep->pidfd;
				ep->pidfd = -1;
				return;
			}
			free(rp);
			/* nowhere to keep it: a zombie until the daemon exits */
		}
	}
	close(ep->pidfd);
	ep->pidfd = -1;
}

static void out_close(struct evloop *el, struct exec_probe *ep)
{
	if (ep->outfd < 0)
		return;
	evloop_del_fd(el, ep->outfd);
	close(ep->outfd);
	ep->outfd = -1;
}

/* Read what the pipe holds now; keep the first HC_EXEC_OUT_MAX bytes. */
static void out_drain(struct evloop *el, struct exec_probe *ep)
{
	char scratch[4096];

	while (ep->outfd >= 0) {
		char *dst = scratch;
		size_t room = sizeof(scratch);
		ssize_t n;

		if (ep->out_len < sizeof(ep->out)) {
			dst = ep->out + ep->out_len;
			room = sizeof(ep->out) - ep->out_len;
		}
		n = read(ep->outfd, dst, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			out_close(el, ep);
			return;
		}
		if (dst != scratch)
			ep->out_len += n;
	}
}

static void exec_free(struct hc_probe *pr)
{
	struct exec_probe *ep = pr->priv;

	if (!ep)
		return;
	out_close(pr->el, ep);
	if (ep->pidfd >= 0) {
		evloop_del_fd(pr->el, ep->pidfd);
		exec_kill_reap(pr->el, ep);
	}
	free(ep);
	pr->priv = NULL;
}

static void out_event(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct hc_probe *pr = arg;

	(void)fd;
	(void)events;
	out_drain(el, pr->priv);
}

/* The first line of the output, control characters as spaces, trimmed. */
static void out_line(const struct exec_probe *ep, char *buf, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < ep->out_len && n + 1 < len; i++) {
		unsigned char c = ep->out[i];

		if (c == '\n' && n)
			break;
		if (c < ' ' || c == 0x7f)
			c = ' ';
		if (c == ' ' && (!n || buf[n - 1] == ' '))
			continue;
		buf[n++] = c;
	}
	while (n && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
}

static void exit_event(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct hc_probe *pr = arg;
	struct exec_probe *ep = pr->priv;
	char detail[HC_DETAIL_MAX], line[HC_DETAIL_MAX], status[48];
	siginfo_t si = {};
	bool ok;

	(void)events;
	/* the shell is a zombie: its pid (the group's id) is still ours */
	if (waitid(P_PIDFD, fd, &si, WEXITED | WNOWAIT | WNOHANG) == 0 && !si.si_pid)
		return;		/* not yet */
	kill(-ep->pid, SIGKILL);
	si = (siginfo_t){};
	waitid(P_PIDFD, fd, &si, WEXITED | WNOHANG);
	evloop_del_fd(el, fd);
	close(fd);
	ep->pidfd = -1;
	out_drain(el, ep);

	ok = si.si_code == CLD_EXITED && si.si_status == 0;
	if (si.si_code == CLD_EXITED)
		snprintf(status, sizeof(status), "exit %d", si.si_status);
	else if (si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED)
		snprintf(status, sizeof(status), "killed by signal %d (%s)", si.si_status,
			 sigabbrev_np(si.si_status) ? sigabbrev_np(si.si_status) : "?");
	else
		snprintf(status, sizeof(status), "ended (code %d)", si.si_code);
	out_line(ep, line, sizeof(line));
	if (line[0])
		snprintf(detail, sizeof(detail), "%s: %.100s", status, line);
	else
		snprintf(detail, sizeof(detail), "%s", status);
	exec_free(pr);
	hc_probe_done(pr, ok, detail);
}

static int exec_start(struct hc_probe *pr)
{
	struct exec_probe *ep;
	struct exec_plan *pl;
	int pipefd[2], err;
	pid_t pid;

	snprintf(pr->stage, sizeof(pr->stage), "exec");
	if (!pr->cfg->command)
		return -EINVAL;
	pl = calloc(1, sizeof(*pl));
	ep = calloc(1, sizeof(*ep));
	if (!pl || !ep) {
		err = -ENOMEM;
		goto out_free;
	}
	err = plan_make(pr, pl);
	if (err)
		goto out_free;
	if (pipe2(pipefd, O_CLOEXEC)) {
		err = -errno;
		goto out_free;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		goto out_free;
	}
	if (!pid)
		child_run(pl, pipefd[1]);	/* does not return */

	close(pipefd[1]);
	/* also here: a timeout must find the group even if the child has
	 * not run yet (EACCES once it has exec'd: it did it itself) */
	setpgid(pid, pid);
	ep->pid = pid;
	ep->outfd = pipefd[0];
	ep->pidfd = pidfd_open(pid, 0);
	if (ep->pidfd < 0) {
		err = -errno;
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);	/* SIGKILL: it ends at once */
		close(ep->outfd);
		goto out_free;
	}
	fcntl(ep->outfd, F_SETFL, O_NONBLOCK);
	pr->priv = ep;
	err = evloop_add_fd(pr->el, ep->outfd, EPOLLIN, out_event, pr);
	if (!err)
		err = evloop_add_fd(pr->el, ep->pidfd, EPOLLIN, exit_event, pr);
	if (err) {
		exec_free(pr);
		free(pl);
		return err;
	}
	snprintf(pr->stage, sizeof(pr->stage), "still running");
	free(pl);
	return 0;
out_free:
	free(pl);
	free(ep);
	return err;
}

const struct hc_checker hc_checker_exec = {
	.name = "exec",
	.start = exec_start,
	.cancel = exec_free,
};
