// SPDX-License-Identifier: GPL-2.0
/*
 * The exec checker with real commands: exit statuses and the first line
 * of output in the detail, a command killed by a signal, the user (nobody
 * by default, root when asked, an unknown one), the environment, stdin,
 * cwd and fds the command gets, an output flood that must not block it;
 * then a command that outlives its timeout — the whole process group,
 * grandchild included, is killed and nothing is left unreaped — and one
 * that exits leaving a grandchild behind, which is killed too.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "health_test.h"

#define LEAKED_FD 57	/* a non-close-on-exec fd of the daemon */

struct ecase {
	const char *name;
	const char *command;
	const char *user;	/* NULL: the default, nobody */
	enum hc_state want;
	const char *detail;	/* the reason contains this */
};

static const struct ecase cases[] = {
	{ "exit 0", "exit 0", NULL, HC_UP, "1 success: exit 0" },
	{ "exit 3", "exit 3", NULL, HC_DOWN, "1 failure: exit 3" },
	{ "stderr in the detail", "echo '  bad   thing' >&2; exit 1", NULL, HC_DOWN,
	  "1 failure: exit 1: bad thing" },
	{ "first line only", "printf '\\n\\nfirst\\tline\\nsecond\\n'; exit 2", NULL, HC_DOWN,
	  "1 failure: exit 2: first line" },
	{ "success keeps its output", "echo all good", NULL, HC_UP, "1 success: exit 0: all good" },
	{ "killed by a signal", "kill -9 $$", NULL, HC_DOWN, "1 failure: killed by signal 9 (KILL)" },
	{ "command not found", "/nonexistent/check", NULL, HC_DOWN, "1 failure: exit 127: " },
	{ "runs as nobody", "id -un; id -u; exit 1", NULL, HC_DOWN, "exit 1: nobody" },
	{ "nobody's ids and groups",
	  "test \"$(id -u)\" = 65534 && test \"$(id -g)\" = 65534 && test \"$(id -G)\" = 65534",
	  NULL, HC_UP, "exit 0" },
	{ "user root", "test \"$(id -u)\" = 0", "root", HC_UP, "exit 0" },
	{ "unknown user", "exit 0", "xlb-no-such-user", HC_DOWN,
	  "1 failure: user xlb-no-such-user: No such file or directory" },
	{ "environment",
	  "test \"$XLB_ADDRESS\" = 127.0.0.1 && test \"$XLB_PORT\" = 8080 && "
	  "test \"$XLB_TARGET\" = 127.0.0.1 && test \"$USER\" = nobody && "
	  "test \"$HOME\" = /nonexistent && "
	  "test \"$PATH\" = /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin && "
	  "test -z \"$ASAN_OPTIONS$LD_PRELOAD\"",
	  NULL, HC_UP, "exit 0" },
	{ "stdin is /dev/null", "test \"$(readlink /proc/self/fd/0)\" = /dev/null", NULL, HC_UP,
	  "exit 0" },
	{ "cwd is /", "test \"$(pwd)\" = /", NULL, HC_UP, "exit 0" },
	{ "no fd of the daemon", "test ! -e /proc/$$/fd/57", NULL, HC_UP, "exit 0" },
	{ "output flood", "yes | head -c 300000; exit 4", NULL, HC_DOWN, "1 failure: exit 4: y" },
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

static bool has_nobody(void)
{
	struct passwd *pw = getpwnam("nobody");

	if (!pw) {
		test_skip("no user nobody");
		return false;
	}
	if (getuid() != 0) {
		test_skip("needs root (to run commands as nobody)");
		return false;
	}
	return true;
}

void test_health_exec(void)
{
	size_t n = sizeof(cases) / sizeof(cases[0]), i;
	struct running *r = calloc(n + 1, sizeof(*r));
	struct evloop *el = NULL;
	int fd = -1;

	if (!ASSERT_OK_PTR(r, "calloc") || !has_nobody())
		goto out;
	/* an fd without O_CLOEXEC, as a careless library might leave one */
	fd = dup2(open("/dev/null", O_RDONLY), LEAKED_FD);
	if (!ASSERT_OK(evloop_new(&el), "evloop_new"))
		goto out;
	for (i = 0; i < n; i++) {
		struct hc_target t = ht_target("127.0.0.1", 8080);

		r[i].cfg = ht_cfg(CONF_HC_EXEC);
		r[i].cfg.interval_ms = 5000;
		r[i].cfg.timeout_ms = 4000;
		r[i].cfg.rise = r[i].cfg.fall = 1;
		r[i].cfg.command = (char *)cases[i].command;
		r[i].cfg.user = (char *)cases[i].user;
		ASSERT_OK(hc_new(el, &r[i].cfg, &t, ht_change, &r[i].w, &r[i].hc), cases[i].name);
	}
	ASSERT_TRUE(ht_run_until(el, 8000, all_changed, r), "every check has a verdict");
	for (i = 0; i < n; i++) {
		test_ctx("%s", cases[i].name);
		printf("%-28s %s\n", cases[i].name, r[i].w.reason);
		ASSERT_EQ(r[i].w.state, cases[i].want, "state");
		ASSERT_TRUE(strstr(r[i].w.reason, cases[i].detail) != NULL, "detail");
	}
	test_ctx(NULL);
out:
	for (i = 0; r && i < n; i++)
		hc_free(r[i].hc);
	evloop_free(el);
	if (fd >= 0)
		close(fd);
	free(r);
}

/* Running: not gone and not a zombie (a zombie is dead; PID 1 here may
 * not reap the orphans it inherits). */
static bool running(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

static bool gone_within(pid_t pid, int ms)
{
	for (int i = 0; i < ms / 10; i++) {
		if (!running(pid))
			return true;
		usleep(10000);
	}
	return !running(pid);
}

/* Our children that are still there, reaped or not. */
static int children(void)
{
	char path[64], buf[256];
	size_t n;
	FILE *f;
	int count = 0;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", gettid());
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (char *p = strtok(buf, " \n"); p; p = strtok(NULL, " \n"))
		count++;
	return count;
}

static pid_t read_pid(const char *path)
{
	FILE *f = fopen(path, "r");
	int pid = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid;
}

static void leftovers(bool timeout)
{
	char dir[] = "/tmp/xlb-hc-exec.XXXXXX", file[PATH_MAX], cmd[PATH_MAX + 128];
	struct conf_health cfg = ht_cfg(CONF_HC_EXEC);
	struct hc_target t = ht_target("127.0.0.1", 0);
	struct ht_watch w = {};
	struct evloop *el = NULL;
	struct hc *hc = NULL;
	pid_t gc;

	if (!has_nobody() || !ASSERT_OK_PTR(mkdtemp(dir), "mkdtemp"))
		return;
	chmod(dir, 0777);	/* nobody writes the grandchild's pid here */
	snprintf(file, sizeof(file), "%s/grandchild", dir);
	/* the grandchild is a sleep in the background; the shell waits
	 * (timeout) or exits at once */
	snprintf(cmd, sizeof(cmd), "sleep 30 & echo $! > %s; %s", file,
		 timeout ? "sleep 30" : "exit 0");
	cfg.command = cmd;
	cfg.interval_ms = 2000;
	cfg.timeout_ms = 300;
	cfg.rise = cfg.fall = 1;
	if (!ASSERT_OK(evloop_new(&el), "evloop_new"))
		goto out;
	if (!ASSERT_OK(hc_new(el, &cfg, &t, ht_change, &w, &hc), "hc_new"))
		goto out;
	ASSERT_TRUE(ht_run_until(el, 2000, timeout ? ht_changed_to_down : ht_changed_to_up, &w),
		    "verdict");
	printf("%s\n", w.reason);
	ASSERT_STREQ(w.reason,
		     timeout ? "1 failure: timeout after 300 ms: still running" : "1 success: exit 0",
		     "reason");
	gc = read_pid(file);
	if (ASSERT_GT(gc, 0, "grandchild pid"))
		ASSERT_TRUE(gone_within(gc, 1000), "grandchild killed");
	ASSERT_EQ(children(), 0, "no child left, not even a zombie");
out:
	hc_free(hc);
	evloop_free(el);
	unlink(file);
	rmdir(dir);
}

void test_health_exec_timeout_kills_group(void)
{
	leftovers(true);
}

void test_health_exec_exit_kills_leftovers(void)
{
	leftovers(false);
}

static bool no_children(void *arg)
{
	(void)arg;
	return children() == 0;
}

/* hc_free() while the command runs: killed at once, and reaped at once
 * or, when the dying process takes longer than hc_free waits (a loaded
 * machine), by the loop a moment later: never a zombie for good, and the
 * reaper frees itself. */
void test_health_exec_free_running(void)
{
	struct conf_health cfg = ht_cfg(CONF_HC_EXEC);
	struct hc_target t = ht_target("127.0.0.1", 0);
	struct evloop *el = NULL;
	struct hc *hc = NULL;
	struct ht_watch w = {};

	if (!has_nobody() || !ASSERT_OK(evloop_new(&el), "evloop_new"))
		return;
	cfg.command = "sleep 30";
	cfg.timeout_ms = 5000;
	cfg.interval_ms = 10000;
	if (ASSERT_OK(hc_new(el, &cfg, &t, ht_change, &w, &hc), "hc_new")) {
		ht_run_until(el, 150, NULL, NULL);
		ASSERT_EQ(children(), 1, "the command runs");
		hc_free(hc);
		if (children())
			ht_run_until(el, 5000, no_children, NULL);
		ASSERT_EQ(children(), 0, "killed by hc_free and reaped");
	}
	evloop_free(el);
}
