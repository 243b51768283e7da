// SPDX-License-Identifier: GPL-2.0
/*
 * The control-socket server (agent/ctl/server.c) and client
 * (agent/ctl/client.c) over real unix sockets. A forked child runs an
 * event loop with ctl_server and a fake dispatch (the one place a fake is
 * right: the daemon's handlers are tested with the daemon); the test
 * drives it with real clients — ctl_call() and raw sockets — and checks
 * normal requests, server-side answers (usage, help, not implemented),
 * malformed requests, clients that send nothing or half a line or vanish,
 * the client limit, large and too-large bodies, peer credentials, socket
 * creation (stale sockets, directories, modes, ownership), a close from
 * inside dispatch, and xlbctl itself (ctl_cli_main(): exit statuses, what
 * goes to stdout and what to stderr). The child exits through ctl_server_close() and
 * evloop_free(), so LeakSanitizer checks the server's cleanup too.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "ctl/client.h"
#include "ctl/commands.h"
#include "ctl/server.h"
#include "lib/evloop.h"
#include "../../tools/xlbctl/cli.h"
#include "../lib/test.h"

#define BIG_BODY	(1u << 20)	/* backend show: more than a socket buffer */

static struct evloop *child_el;
static struct ctl_server *child_srv;

/*
 * The fake daemon, by command:
 *   status              ok, "fake status" (or {"fake":"status"} with json)
 *   vip show [VIP]      ok, echoes what it got: "argc=N json=B a|b|c"
 *   vip disable VIP     error 1 "no such VIP", with a body
 *   vip enable VIP      error 2 "VIP is not disabled"
 *   backend show VIP    ok, BIG_BODY bytes of a known pattern
 *   backend pool ...    returns 42: the server says internal error
 *   backend depool ...  writes past CTL_BODY_MAX: response too large
 *   backend set ...     closes the server from inside dispatch, stops the loop
 *   reload              ok, stops the loop (the child then exits cleanly)
 */
static int fake_dispatch(void *arg, const struct ctl_request *req, bool json, struct buf *body,
			 char *err, size_t errlen)
{
	int i;
	size_t n;

	(void)arg;
	switch (req->cmd->id) {
	case CTL_CMD_STATUS:
		buf_puts(body, json ? "{\"fake\":\"status\"}\n" : "fake status\n");
		return CTL_OK;
	case CTL_CMD_VIP_SHOW:
		buf_printf(body, "argc=%d json=%d first=%d ", req->argc, json, req->first_arg);
		for (i = 0; i < req->argc; i++)
			buf_printf(body, "%s%s", i ? "|" : "", req->argv[i]);
		buf_putc(body, '\n');
		return CTL_OK;
	case CTL_CMD_VIP_DISABLE:
		buf_puts(body, "detail of the failure\n");
		snprintf(err, errlen, "no such VIP");
		return CTL_ERR_RUNTIME;
	case CTL_CMD_VIP_ENABLE:
		snprintf(err, errlen, "VIP is not disabled");
		return CTL_ERR_USAGE;
	case CTL_CMD_BACKEND_SHOW:
		for (n = 0; n < BIG_BODY; n++)
			buf_putc(body, 'a' + n % 26);
		return CTL_OK;
	case CTL_CMD_BACKEND_POOL:
		return 42;
	case CTL_CMD_BACKEND_DEPOOL:
		while (!body->err)
			buf_puts(body, "0123456789abcdef0123456789abcdef0123456789abcdef\n");
		return CTL_OK;
	case CTL_CMD_BACKEND_SET:
		ctl_server_close(child_srv);
		child_srv = NULL;
		evloop_stop(child_el);
		buf_puts(body, "closing\n");
		return CTL_OK;
	case CTL_CMD_RELOAD:
		evloop_stop(child_el);
		return CTL_OK;
	default:
		snprintf(err, errlen, "fake: not handled");
		return CTL_ERR_RUNTIME;
	}
}

struct fixture {
	char dir[64];
	char path[100];
	pid_t pid;
};

/* Fork a server on fx->path; 0 when it listens, else its open error. */
static int server_start(struct fixture *fx, const char *group)
{
	int pfd[2], ret = -EIO;
	struct pollfd p;

	if (pipe(pfd))
		return -errno;
	fflush(NULL);
	fx->pid = fork();
	if (fx->pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (fx->pid == 0) {
		close(pfd[0]);
		ret = evloop_new(&child_el);
		if (!ret)
			ret = ctl_server_open(child_el, fx->path, group, fake_dispatch, NULL,
					      &child_srv);
		if (write(pfd[1], &ret, sizeof(ret)) != sizeof(ret) || ret)
			_exit(3);
		close(pfd[1]);
		ret = evloop_run(child_el);
		ctl_server_close(child_srv);
		evloop_free(child_el);
		exit(ret ? 4 : 0);
	}
	close(pfd[1]);
	p = (struct pollfd){ .fd = pfd[0], .events = POLLIN };
	if (poll(&p, 1, 5000) == 1 && read(pfd[0], &ret, sizeof(ret)) == sizeof(ret)) {
		close(pfd[0]);
		return ret;
	}
	close(pfd[0]);
	return -ETIMEDOUT;
}

/* Wait for the server child to end (up to 5 s); its exit status, or -1. */
static int server_wait(struct fixture *fx)
{
	int status, i;

	for (i = 0; i < 500; i++) {
		pid_t r = waitpid(fx->pid, &status, WNOHANG);

		if (r == fx->pid) {
			fx->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		poll(NULL, 0, 10);
	}
	return -1;
}

static int fixture_init(struct fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/xlb-ctl-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -errno;
	snprintf(fx->path, sizeof(fx->path), "%s/run/xlb/xlbd.sock", fx->dir);
	return 0;
}

static void fixture_fini(struct fixture *fx)
{
	char cmd[160];
	int ret;

	if (fx->pid > 0) {
		kill(fx->pid, SIGKILL);
		waitpid(fx->pid, NULL, 0);
	}
	if (fx->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
		ret = system(cmd);
		(void)ret;
	}
}

/* A request through the real client; the response's status, or -errno. */
static int call(struct fixture *fx, const char *line, struct ctl_response *resp, char *err,
		size_t errlen)
{
	return ctl_call(fx->path, line, strlen(line), 5000, resp, err, errlen) ?:
		(int)resp->status;
}

static int raw_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* Everything the server sends until it closes (or timeout_ms passes). */
static ssize_t raw_read_all(int fd, char *out, size_t len, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t n;

	while (got < len - 1) {
		if (poll(&p, 1, timeout_ms) != 1)
			return -ETIMEDOUT;
		n = recv(fd, out + got, len - 1 - got, 0);
		if (n < 0 && errno == ECONNRESET)
			break;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += n;
	}
	out[got] = '\0';
	return got;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void stop_server(struct fixture *fx)
{
	struct ctl_response resp;
	char err[256];

	ASSERT_EQ(call(fx, "xlb1 text reload\n", &resp, err, sizeof(err)), CTL_OK, "reload");
	ctl_response_free(&resp);
	ASSERT_EQ(server_wait(fx), 0, "server exits cleanly (no leaks)");
}

void test_ctl_server_requests(void)
{
	static const struct {
		const char *name;
		const char *req;
		int status;		/* or -errno from the client */
		const char *msg;	/* substring of the error message */
		const char *body;	/* substring of the body; NULL: empty body */
	} cases[] = {
		{ "text", "xlb1 text status\n", CTL_OK, NULL, "fake status\n" },
		{ "json", "xlb1 json status\n", CTL_OK, NULL, "{\"fake\":\"status\"}\n" },
		{ "canonical words to dispatch", "xlb1 text vip show 203.0.113.10:53/udp\n", CTL_OK,
		  NULL, "argc=3 json=0 first=2 vip|show|203.0.113.10:53/udp\n" },
		{ "server re-resolves", "xlb1 json v sh [2001:DB8::1]:80/TCP\n", CTL_OK, NULL,
		  "argc=3 json=1 first=2 vip|show|[2001:db8::1]:80/tcp\n" },
		{ "runtime error with body", "xlb1 text vip disable web\n", CTL_ERR_RUNTIME,
		  "no such VIP", "detail of the failure\n" },
		{ "usage error from dispatch", "xlb1 text vip enable web\n", CTL_ERR_USAGE,
		  "VIP is not disabled", NULL },
		{ "bad return from dispatch", "xlb1 text backend pool web 192.0.2.1\n",
		  CTL_ERR_RUNTIME, "internal error", NULL },
		{ "body too large", "xlb1 text backend depool web 192.0.2.1\n", CTL_ERR_RUNTIME,
		  "response too large", NULL },
		{ "help", "xlb1 text help\n", CTL_OK, NULL, "usage: xlbctl" },
		{ "object help", "xlb1 json backend help\n", CTL_OK, NULL, "backend set VIP" },
		{ "unknown command", "xlb1 text vip frob\n", CTL_ERR_USAGE,
		  "vip: unknown command 'frob'", "usage: xlbctl vip show [VIP]" },
		{ "bad argument", "xlb1 text backend show 1.2.3.4\n", CTL_ERR_USAGE,
		  "is not a VIP", "usage: xlbctl backend show VIP\n" },
		{ "xlbctl's own command", "xlb1 text completion bash\n", CTL_ERR_USAGE,
		  "'completion' is answered by xlbctl itself, not by xlbd", NULL },
		{ "bad version", "xlb9 text status\n", CTL_ERR_USAGE, "unsupported protocol 'xlb9'",
		  NULL },
		{ "bad format", "xlb1 xml status\n", CTL_ERR_USAGE, "bad format 'xml'", NULL },
		{ "double space", "xlb1 text  status\n", CTL_ERR_USAGE, "empty word", NULL },
		{ "control char", "xlb1 text st\x01" "atus\n", CTL_ERR_USAGE,
		  "control character 0x01", NULL },
		{ "CRLF", "xlb1 text status\r\n", CTL_ERR_USAGE, "control character 0x0d", NULL },
	};
	struct ctl_response resp;
	struct fixture fx;
	char err[256];
	size_t i, n;
	int ret;

	if (!ASSERT_OK(fixture_init(&fx), "tmpdir"))
		return;
	if (!ASSERT_OK(server_start(&fx, NULL), "server"))
		goto out;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_ctx("%s", cases[i].name);
		ret = call(&fx, cases[i].req, &resp, err, sizeof(err));
		if (!ASSERT_EQ(ret, cases[i].status, "status")) {
			printf("    client: %s\n", err);
		} else {
			if (cases[i].msg && !ASSERT_TRUE(strstr(resp.msg, cases[i].msg), "message"))
				printf("    got '%s'\n", resp.msg);
			if (cases[i].body) {
				if (!ASSERT_TRUE(resp.body_len && strstr(resp.body, cases[i].body),
						 "body"))
					printf("    got '%.200s'\n", resp.body ?: "");
			} else {
				ASSERT_EQ(resp.body_len, 0, "no body");
			}
		}
		ctl_response_free(&resp);
	}
	test_ctx(NULL);

	/* a body larger than the socket buffers arrives whole (EPOLLOUT path) */
	ret = call(&fx, "xlb1 text backend show web\n", &resp, err, sizeof(err));
	if (ASSERT_EQ(ret, CTL_OK, "big body")) {
		bool same = resp.body_len == BIG_BODY;

		for (n = 0; same && n < BIG_BODY; n++)
			same = resp.body[n] == (char)('a' + n % 26);
		ASSERT_TRUE(same, "big body intact");
	}
	ctl_response_free(&resp);

	/* a NUL byte is refused, not taken as the end of the line */
	{
		static const char nul[] = "xlb1 text sta\0tus\n";
		char out[512];
		int fd = raw_connect(fx.path);

		if (ASSERT_GE(fd, 0, "connect")) {
			ASSERT_EQ(send(fd, nul, sizeof(nul) - 1, 0), sizeof(nul) - 1, "send");
			ASSERT_GT(raw_read_all(fd, out, sizeof(out), 3000), 0, "answer");
			ASSERT_TRUE(strstr(out, "error 2 NUL byte at offset 13"), out);
			close(fd);
		}
	}

	stop_server(&fx);
	ASSERT_EQ(access(fx.path, F_OK), -1, "socket removed at close");
out:
	fixture_fini(&fx);
}

/* Clients that send nothing, half a line, too much, or vanish: each gets
 * its answer or is dropped, and the loop serves others meanwhile. */
void test_ctl_server_slow_clients(void)
{
	struct ctl_response resp;
	struct fixture fx;
	char err[256], out[8192], big[5000];
	int idle = -1, partial = -1, gone, half, flood;
	long long t0, t;
	ssize_t n;

	if (!ASSERT_OK(fixture_init(&fx), "tmpdir"))
		return;
	if (!ASSERT_OK(server_start(&fx, NULL), "server"))
		goto out;

	t0 = now_ms();
	idle = raw_connect(fx.path);
	partial = raw_connect(fx.path);
	if (!ASSERT_GE(idle, 0, "idle client") || !ASSERT_GE(partial, 0, "partial client"))
		goto out;
	ASSERT_EQ(send(partial, "xlb1 text sta", 13, 0), 13, "half a request");

	/* others are served at once */
	t = now_ms();
	ASSERT_EQ(call(&fx, "xlb1 text status\n", &resp, err, sizeof(err)), CTL_OK,
		  "served meanwhile");
	ctl_response_free(&resp);
	ASSERT_LT(now_ms() - t, 1000, "without waiting for the idle ones");

	/* half a line, then gone: nothing to answer, nothing breaks */
	gone = raw_connect(fx.path);
	if (ASSERT_GE(gone, 0, "vanishing client")) {
		ASSERT_EQ(send(gone, "xlb1 text vip sh", 16, 0), 16, "send");
		close(gone);
	}
	/* half a line, then end of sending: told what is wrong */
	half = raw_connect(fx.path);
	if (ASSERT_GE(half, 0, "half-closing client")) {
		ASSERT_EQ(send(half, "xlb1 text status", 16, 0), 16, "send");
		shutdown(half, SHUT_WR);
		ASSERT_GT(raw_read_all(half, out, sizeof(out), 3000), 0, "answer");
		ASSERT_STREQ(out, "error 2 request line not terminated by a newline\n",
			     "unterminated");
		close(half);
	}
	/* more than a line's worth without a newline */
	flood = raw_connect(fx.path);
	if (ASSERT_GE(flood, 0, "flooding client")) {
		memset(big, 'a', sizeof(big));
		n = send(flood, big, sizeof(big), 0);
		ASSERT_EQ(n, sizeof(big), "send");
		ASSERT_GT(raw_read_all(flood, out, sizeof(out), 3000), 0, "answer");
		ASSERT_STREQ(out, "error 2 request line longer than 4096 bytes\n", "too long");
		close(flood);
	}

	ASSERT_EQ(call(&fx, "xlb1 text status\n", &resp, err, sizeof(err)), CTL_OK,
		  "still serving");
	ctl_response_free(&resp);

	/* the idle and the partial client time out after CTL_READ_TIMEOUT_MS */
	ASSERT_GT(raw_read_all(idle, out, sizeof(out), 5000), 0, "idle answered");
	t = now_ms() - t0;
	ASSERT_STREQ(out, "error 2 timed out waiting for the request line (2000 ms)\n",
		     "idle timed out");
	ASSERT_GE(t, CTL_READ_TIMEOUT_MS - 100, "not before the deadline");
	ASSERT_LT(t, CTL_READ_TIMEOUT_MS + 1500, "soon after it");
	ASSERT_GT(raw_read_all(partial, out, sizeof(out), 2000), 0, "partial answered");
	ASSERT_TRUE(strstr(out, "error 2 timed out"), "partial timed out");

	ASSERT_EQ(call(&fx, "xlb1 text status\n", &resp, err, sizeof(err)), CTL_OK,
		  "serving after the timeouts");
	ctl_response_free(&resp);
	stop_server(&fx);
out:
	if (idle >= 0)
		close(idle);
	if (partial >= 0)
		close(partial);
	fixture_fini(&fx);
}

void test_ctl_server_client_limit(void)
{
	int fds[CTL_CLIENTS_MAX], extra, i, ret = -1;
	struct ctl_response resp;
	struct fixture fx;
	char err[256], out[512];

	for (i = 0; i < CTL_CLIENTS_MAX; i++)
		fds[i] = -1;
	if (!ASSERT_OK(fixture_init(&fx), "tmpdir"))
		return;
	if (!ASSERT_OK(server_start(&fx, NULL), "server"))
		goto out;
	for (i = 0; i < CTL_CLIENTS_MAX; i++)
		if (!ASSERT_GE(fds[i] = raw_connect(fx.path), 0, "idle client"))
			goto out;

	/* one more: told at once, not queued behind the idle ones */
	extra = raw_connect(fx.path);
	if (ASSERT_GE(extra, 0, "one too many")) {
		ASSERT_EQ(send(extra, "xlb1 text status\n", 17, 0), 17, "send");
		ASSERT_GT(raw_read_all(extra, out, sizeof(out), 1000), 0, "answered");
		ASSERT_STREQ(out, "error 1 busy: too many control connections, try again\n",
			     "busy");
		close(extra);
	}
	ASSERT_EQ(call(&fx, "xlb1 text status\n", &resp, err, sizeof(err)), CTL_ERR_RUNTIME,
		  "busy through the client");
	ASSERT_TRUE(strstr(resp.msg, "busy"), resp.msg);
	ctl_response_free(&resp);

	/* the idle ones leave: served again */
	for (i = 0; i < CTL_CLIENTS_MAX; i++) {
		close(fds[i]);
		fds[i] = -1;
	}
	for (i = 0; i < 100; i++) {
		ret = call(&fx, "xlb1 text status\n", &resp, err, sizeof(err));
		ctl_response_free(&resp);
		if (ret == CTL_OK)
			break;
		poll(NULL, 0, 10);
	}
	ASSERT_EQ(ret, CTL_OK, "served after the others left");
	stop_server(&fx);
out:
	for (i = 0; i < CTL_CLIENTS_MAX; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	fixture_fini(&fx);
}

/* A group that exists here, other than root's and nobody's. */
static const char *pick_group(gid_t *gid)
{
	static const char *const names[] = { "daemon", "adm", "users", "staff", "bin" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!ctl_group_resolve(names[i], gid) && *gid != 0 && *gid != 65534)
			return names[i];
	return NULL;
}

/* In a child as uid/gid 65534 with the given supplementary groups: the
 * status of a status request, 10 + -errno of the client on failure. The
 * message goes through msg_fd. */
static int call_as(const char *path, gid_t gid, const gid_t *groups, size_t ngroups,
		   char *msg, size_t msglen)
{
	struct ctl_response resp;
	char err[CTL_MSG_MAX + 64];
	int pfd[2], status, ret;
	ssize_t n;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		if (setgroups(ngroups, groups) || setresgid(gid, gid, gid) ||
		    setresuid(65534, 65534, 65534))
			_exit(99);
		ret = ctl_call(path, "xlb1 text status\n", 17, 3000, &resp, err, sizeof(err));
		if (!ret)
			snprintf(err, sizeof(err), "%s", resp.msg);
		n = write(pfd[1], err, strlen(err) + 1);
		(void)n;
		_exit(ret ? 10 - ret : (int)resp.status);
	}
	close(pfd[1]);
	n = read(pfd[0], msg, msglen - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

void test_ctl_server_peer_creds(void)
{
	struct fixture fx;
	const char *group;
	gid_t gid, supp[1];
	struct stat st;
	char msg[512], want[512];
	int ret;

	if (geteuid() != 0) {
		test_skip("needs root to switch users");
		return;
	}
	group = pick_group(&gid);
	if (!group) {
		test_skip("no group to test with");
		return;
	}
	if (!ASSERT_OK(fixture_init(&fx), "tmpdir"))
		return;
	chmod(fx.dir, 0755);	/* mkdtemp makes it 0700 */
	if (!ASSERT_OK(server_start(&fx, group), "server"))
		goto out;
	if (ASSERT_OK(stat(fx.path, &st), "stat socket")) {
		ASSERT_TRUE(S_ISSOCK(st.st_mode), "a socket");
		ASSERT_EQ(st.st_mode & 07777, 0660, "mode 0660");
		ASSERT_EQ(st.st_uid, 0, "owner root");
		ASSERT_EQ(st.st_gid, gid, "group");
	}

	/* not in the group: the file's mode keeps it out */
	ret = call_as(fx.path, 65534, NULL, 0, msg, sizeof(msg));
	ASSERT_EQ(ret, 10 + EACCES, "outsider cannot connect");
	snprintf(want, sizeof(want),
		 "permission denied on %s: xlbctl needs root or the control-socket group",
		 fx.path);
	ASSERT_STREQ(msg, want, "client message");

	/* in the group as a supplementary group (SO_PEERGROUPS) */
	supp[0] = gid;
	ret = call_as(fx.path, 65534, supp, 1, msg, sizeof(msg));
	ASSERT_EQ(ret, CTL_OK, "supplementary group member");
	/* in the group as the primary group (SO_PEERCRED) */
	ret = call_as(fx.path, gid, NULL, 0, msg, sizeof(msg));
	ASSERT_EQ(ret, CTL_OK, "primary group member");

	/* the file opened to all: the server's own check still refuses */
	chmod(fx.path, 0666);
	ret = call_as(fx.path, 65534, NULL, 0, msg, sizeof(msg));
	ASSERT_EQ(ret, CTL_ERR_RUNTIME, "refused by the server");
	snprintf(want, sizeof(want), "permission denied: uid 65534 is not root nor in group %s",
		 group);
	ASSERT_STREQ(msg, want, "server message");

	stop_server(&fx);
out:
	fixture_fini(&fx);
}

/* Socket creation: directories, stale sockets, files that are not ours. */
void test_ctl_server_open_errors(void)
{
	struct ctl_server *a = NULL, *b = NULL;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct evloop *el = NULL;
	struct fixture fx;
	char longpath[200], other[160];
	struct stat st;
	mode_t old;
	int fd;

	if (!ASSERT_OK(fixture_init(&fx), "tmpdir"))
		return;
	if (!ASSERT_OK(evloop_new(&el), "evloop"))
		goto out;

	/* parents created 0755 whatever the umask; the socket 0660 */
	old = umask(077);
	ASSERT_OK(ctl_server_open(el, fx.path, NULL, fake_dispatch, NULL, &a), "open");
	umask(old);
	snprintf(other, sizeof(other), "%s/run/xlb", fx.dir);
	if (ASSERT_OK(stat(other, &st), "dir"))
		ASSERT_EQ(st.st_mode & 07777, 0755, "dir mode");
	if (ASSERT_OK(stat(fx.path, &st), "socket"))
		ASSERT_EQ(st.st_mode & 07777, 0660, "socket mode");

	/* a second server on a live socket */
	ASSERT_EQ(ctl_server_open(el, fx.path, NULL, fake_dispatch, NULL, &b), -EADDRINUSE,
		  "live socket");
	ASSERT_OK(access(fx.path, F_OK), "live socket left alone");
	ctl_server_close(a);
	a = NULL;
	ASSERT_EQ(access(fx.path, F_OK), -1, "removed at close");

	/* a stale socket (its server died) is replaced */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", fx.path);
	ASSERT_OK(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), "stale bind");
	close(fd);
	ASSERT_OK(ctl_server_open(el, fx.path, NULL, fake_dispatch, NULL, &a), "over stale");

	/* close leaves a successor's file alone */
	unlink(fx.path);
	fd = open(fx.path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	ctl_server_close(a);
	a = NULL;
	ASSERT_OK(access(fx.path, F_OK), "successor's file kept");

	/* not a socket: refused and untouched */
	ASSERT_EQ(ctl_server_open(el, fx.path, NULL, fake_dispatch, NULL, &a), -EEXIST,
		  "regular file");
	ASSERT_OK(access(fx.path, F_OK), "file untouched");
	unlink(fx.path);

	ASSERT_EQ(ctl_server_open(el, fx.path, "no-such-group-xlb", fake_dispatch, NULL, &a),
		  -ENOENT, "unknown group");
	ASSERT_EQ(access(fx.path, F_OK), -1, "nothing created for an unknown group");
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	ASSERT_EQ(ctl_server_open(el, longpath, NULL, fake_dispatch, NULL, &a), -ENAMETOOLONG,
		  "path too long");
	snprintf(other, sizeof(other), "%s/file", fx.dir);
	fd = open(other, O_CREAT | O_WRONLY, 0600);
	close(fd);
	snprintf(longpath, sizeof(longpath), "%s/file/x.sock", fx.dir);
	ASSERT_EQ(ctl_server_open(el, longpath, NULL, fake_dispatch, NULL, &a), -ENOTDIR,
		  "parent is a file");
	ctl_server_close(NULL);
out:
	evloop_free(el);
	fixture_fini(&fx);
}

/* The daemon closes the server from its own dispatch (a reload that moves
 * the socket): the request still gets its answer, the file goes at once. */
void test_ctl_server_close_in_dispatch(void)
{
	struct ctl_response resp;
	struct fixture fx;
	char err[256];

	if (!ASSERT_OK(fixture_init(&fx), "tmpdir"))
		return;
	if (!ASSERT_OK(server_start(&fx, NULL), "server"))
		goto out;
	ASSERT_EQ(call(&fx, "xlb1 text backend set web 192.0.2.1 weight 1\n", &resp, err,
		       sizeof(err)), CTL_OK, "answered");
	ASSERT_TRUE(resp.body_len && !strcmp(resp.body, "closing\n"), "body");
	ctl_response_free(&resp);
	ASSERT_EQ(server_wait(&fx), 0, "server exits cleanly (no leaks)");
	ASSERT_EQ(access(fx.path, F_OK), -1, "socket removed");
out:
	fixture_fini(&fx);
}

/* A fake server run by a child: accepts one connection, reads a line,
 * writes `reply` (len bytes; none if NULL) and closes, or never answers. */
static pid_t fake_server(const char *path, const char *reply, size_t len, bool hang)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int lfd, cfd;
	char in[CTL_LINE_MAX];
	ssize_t n;
	pid_t pid;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) || listen(lfd, 4))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid != 0) {
		close(lfd);
		return pid;
	}
	cfd = accept(lfd, NULL, NULL);
	n = recv(cfd, in, sizeof(in), 0);
	if (reply)
		n = send(cfd, reply, len, MSG_NOSIGNAL);
	(void)n;
	if (hang)
		pause();
	_exit(0);
}

void test_ctl_client_errors(void)
{
	static const struct {
		const char *name;
		const char *reply;	/* NULL: none */
		size_t len;
		bool hang;
		int ret;
		const char *err;
	} cases[] = {
		{ "garbage", "HTTP/1.1 200 OK\r\n\r\n", 19, false, -EBADMSG,
		  "malformed response from xlbd" },
		{ "head without newline", "ok", 2, false, -EBADMSG, "malformed response from xlbd" },
		{ "status 7", "error 7 what\n", 13, false, -EBADMSG, "malformed response from xlbd" },
		{ "nothing", NULL, 0, false, -EBADMSG,
		  "xlbd closed the connection without a response" },
		{ "no answer", NULL, 0, true, -ETIMEDOUT, "no response from xlbd within 1 s" },
		{ "half an answer", "ok\npart", 7, true, -ETIMEDOUT,
		  "no complete response from xlbd within 1 s" },
		{ "ok, empty body", "ok\n", 3, false, 0, "" },
	};
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ctl_response resp;
	struct fixture fx;
	char err[256], want[256];
	size_t i;
	int fd, ret;
	pid_t pid;

	if (!ASSERT_OK(fixture_init(&fx), "tmpdir"))
		return;
	snprintf(fx.path, sizeof(fx.path), "%s/s.sock", fx.dir);

	ret = ctl_call(fx.path, "xlb1 text status\n", 17, 1000, &resp, err, sizeof(err));
	ctl_response_free(&resp);
	ASSERT_EQ(ret, -ENOENT, "no socket");
	snprintf(want, sizeof(want), "xlbd is not running (no socket at %s)", fx.path);
	ASSERT_STREQ(err, want, "no socket message");

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", fx.path);
	ASSERT_OK(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), "stale bind");
	close(fd);
	ret = ctl_call(fx.path, "xlb1 text status\n", 17, 1000, &resp, err, sizeof(err));
	ctl_response_free(&resp);
	ASSERT_EQ(ret, -ECONNREFUSED, "stale socket");
	ASSERT_TRUE(strstr(err, "xlbd is not running (stale socket at"), err);
	unlink(fx.path);

	/* -s naming a regular file: not a socket, not a stale one */
	fd = open(fx.path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ASSERT_GE(fd, 0, "regular file");
	close(fd);
	ret = ctl_call(fx.path, "xlb1 text status\n", 17, 1000, &resp, err, sizeof(err));
	ctl_response_free(&resp);
	ASSERT_EQ(ret, -ENOTSOCK, "not a socket");
	snprintf(want, sizeof(want), "%s is not a socket (-s names xlbd's control socket, "
		 "`control-socket` in xlb.conf)", fx.path);
	ASSERT_STREQ(err, want, "not a socket message");
	unlink(fx.path);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_ctx("%s", cases[i].name);
		pid = fake_server(fx.path, cases[i].reply, cases[i].len, cases[i].hang);
		if (!ASSERT_GT(pid, 0, "fake server"))
			break;
		ret = ctl_call(fx.path, "xlb1 text status\n", 17, 1000, &resp, err, sizeof(err));
		ASSERT_EQ(ret, cases[i].ret, "result");
		if (ret)
			ASSERT_STREQ(err, cases[i].err, "message");
		else
			ASSERT_EQ(resp.body_len, 0, "empty body");
		ctl_response_free(&resp);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		unlink(fx.path);
	}
	test_ctx(NULL);
	fixture_fini(&fx);
}

/* xlbctl in-process: exit status, stdout, stderr. */
static int run_cli(const char *line, char **out, char **err)
{
	char store[512], *argv[16], *p, *save;
	size_t outlen, errlen;
	FILE *fo, *fe;
	int argc = 0, ret;

	snprintf(store, sizeof(store), "%s", line);
	argv[argc++] = "xlbctl";
	for (p = strtok_r(store, " ", &save); p && argc < 15; p = strtok_r(NULL, " ", &save))
		argv[argc++] = p;
	argv[argc] = NULL;
	fo = open_memstream(out, &outlen);
	fe = open_memstream(err, &errlen);
	ret = ctl_cli_main(argc, argv, fo, fe);
	fclose(fo);
	fclose(fe);
	return ret;
}

void test_ctl_cli(void)
{
	static const struct {
		const char *args;	/* after -s SOCKET unless it starts with '!' */
		int status;
		const char *out;	/* exact stdout; NULL: only checked non-empty */
		const char *err;	/* exact stderr; NULL: only checked to start "xlbctl: " */
	} cases[] = {
		{ "status", 0, "fake status\n", "" },
		{ "st", 2, "", NULL },
		{ "-j status", 0, "{\"fake\":\"status\"}\n", "" },
		{ "-p status", 0, "{\n    \"fake\": \"status\"\n}\n", "" },
		{ "v sh web", 0, "argc=3 json=0 first=2 vip|show|web\n", "" },
		{ "-j vip show 203.0.113.10:53/udp", 0,
		  "argc=3 json=1 first=2 vip|show|203.0.113.10:53/udp\n", "" },
		{ "vip disable web", 1, "", "xlbctl: no such VIP\ndetail of the failure\n" },
		{ "vip enable web", 2, "", "xlbctl: VIP is not disabled\n" },
		/* --now after the command is the command's, not xlbctl's */
		{ "backend depool web 192.0.2.1 --now", 1, "", "xlbctl: response too large\n" },
		{ "vip frob", 2, "", NULL },
		{ "backend depool web", 2, "",
		  "xlbctl: backend depool: missing BACKEND\n"
		  "usage: xlbctl backend depool VIP BACKEND [--now]\n" },
		{ "!-s", 2, "", "xlbctl: -s needs a SOCKET path\nTry 'xlbctl help'.\n" },
		{ "!-x status", 2, "", "xlbctl: unknown option '-x'\nTry 'xlbctl help'.\n" },
		{ "!", 2, "", NULL },
		{ "!-V", 0, "xlbctl " XLB_VERSION " (control protocol xlb1)\n", "" },
		{ "!-h", 0, NULL, "" },
		{ "!help backend", 0, NULL, "" },
		{ "!backend set help", 0, NULL, "" },
		{ "!-s /nonexistent/xlbd.sock stats", 1, "",
		  "xlbctl: xlbd is not running (no socket at /nonexistent/xlbd.sock)\n" },
	};
	struct fixture fx;
	char line[256], *out = NULL, *err = NULL;
	size_t i;
	int ret;

	if (!ASSERT_OK(fixture_init(&fx), "tmpdir"))
		return;
	if (!ASSERT_OK(server_start(&fx, NULL), "server"))
		goto out;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *a = cases[i].args;

		test_ctx("xlbctl %s", a);
		if (a[0] == '!')
			snprintf(line, sizeof(line), "%s", a + 1);
		else
			snprintf(line, sizeof(line), "-s %s %s", fx.path, a);
		ret = run_cli(line, &out, &err);
		ASSERT_EQ(ret, cases[i].status, "exit status");
		if (cases[i].out)
			ASSERT_STREQ(out, cases[i].out, "stdout");
		else
			ASSERT_TRUE(strstr(out, "usage: xlbctl"), "help on stdout");
		if (cases[i].err)
			ASSERT_STREQ(err, cases[i].err, "stderr");
		else
			ASSERT_TRUE(!strncmp(err, "xlbctl: ", 8) || !strncmp(err, "usage: ", 7),
				    "message on stderr");
		free(out);
		free(err);
		out = err = NULL;
	}
	test_ctx(NULL);
	stop_server(&fx);
out:
	fixture_fini(&fx);
}
