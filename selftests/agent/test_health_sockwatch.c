// SPDX-License-Identifier: GPL-2.0
/*
 * The socket watch against the real kernel (agent/health/sockwatch.c), in
 * a network namespace of the test's own (unshare in the test's forked
 * child; root needed, else skipped):
 * - the last UDP socket on a watched address closing fires the watch at
 *   once, with the socket named in the detail; an SO_REUSEPORT sibling
 *   closing first fires nothing (the dump finds the other);
 * - unrelated sockets (another port, and connections accepted on the
 *   watched TCP port) never reach xlbd: the kernel's filter drops them;
 * - a TCP service on the IPv6 wildcard without IPV6_V6ONLY serves an IPv4
 *   watch (its closing fires it), one with IPV6_V6ONLY does not stand in
 *   for an IPv4 listener;
 * - sockwatch_present() as the dumps see it; removing the last entry
 *   leaves the groups (no event after).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "../lib/test.h"
#include "health/sockwatch.h"

struct fired {
	int n;
	char detail[160];
};

static void on_gone(void *arg, const char *detail)
{
	struct fired *f = arg;

	f->n++;
	snprintf(f->detail, sizeof(f->detail), "%s", detail);
}

/* Run the loop until cond(arg) holds, checked every millisecond, or ms
 * pass; returns cond's last answer. */
struct until {
	bool (*cond)(void *arg);
	void *arg;
	struct ev_timer tick, deadline;
	bool met;
};

static void until_tick(struct evloop *el, void *arg)
{
	struct until *u = arg;

	u->met = u->cond(u->arg);
	if (u->met)
		evloop_stop(el);
	else
		evloop_timer_set(el, &u->tick, 1, until_tick, u);
}

static void until_deadline(struct evloop *el, void *arg)
{
	(void)arg;
	evloop_stop(el);
}

static bool run_until(struct evloop *el, bool (*cond)(void *), void *arg, unsigned int ms)
{
	struct until u = { .cond = cond, .arg = arg };

	evloop_timer_set(el, &u.deadline, ms, until_deadline, &u);
	evloop_timer_set(el, &u.tick, 1, until_tick, &u);
	evloop_run(el);
	evloop_timer_cancel(el, &u.tick);
	evloop_timer_cancel(el, &u.deadline);
	return u.met || cond(arg);
}

/* conditions */
struct dumps_past {
	struct sockwatch *sw;
	unsigned long long n;
};

static bool dumps_past(void *arg)
{
	struct dumps_past *d = arg;
	struct sockwatch_stats st;

	sockwatch_get_stats(d->sw, &st);
	return st.dumps > d->n;
}

static bool has_fired(void *arg)
{
	return ((struct fired *)arg)->n > 0;
}

static bool netns(void)
{
	if (geteuid()) {
		test_skip("needs root (a network namespace, CAP_NET_ADMIN for the groups)");
		return false;
	}
	if (unshare(CLONE_NEWNET)) {
		test_skip("unshare(CLONE_NEWNET): %s", strerror(errno));
		return false;
	}
	return !system("ip link set lo up");
}

static int sock_bound(int af, int type, const char *a, __u16 port, bool reuseport, int v6only)
{
	struct sockaddr_storage ss = {};
	socklen_t len;
	int fd, one = 1;

	fd = socket(af, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (reuseport)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (af == AF_INET6 && v6only >= 0)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
	if (af == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		inet_pton(AF_INET, a, &sin->sin_addr);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		inet_pton(AF_INET6, a, &sin6->sin6_addr);
		len = sizeof(*sin6);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) || (type == SOCK_STREAM && listen(fd, 8))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static struct sockdiag_want want(const char *a, __u16 port, __u8 proto)
{
	struct sockdiag_want w = { .port = port, .proto = proto };

	if (a) {
		w.addr.family = XLB_FAMILY_V4;
		inet_pton(AF_INET, a, &w.addr.addr.v4);
	}
	return w;
}

void test_health_sockwatch_udp(void)
{
	struct sockdiag_want w = want("127.0.0.1", 5353, IPPROTO_UDP);
	struct sockwatch_entry *e = NULL;
	struct sockwatch *sw = NULL;
	struct sockwatch_stats st;
	struct evloop *el = NULL;
	struct fired f = {};
	int a = -1, b = -1, other = -1;

	if (!netns())
		return;
	if (!ASSERT_OK(evloop_new(&el), "evloop") || !ASSERT_OK(sockwatch_new(el, &sw), "new"))
		goto out;
	a = sock_bound(AF_INET, SOCK_DGRAM, "127.0.0.1", 5353, true, -1);
	b = sock_bound(AF_INET, SOCK_DGRAM, "0.0.0.0", 5353, true, -1);
	other = sock_bound(AF_INET, SOCK_DGRAM, "127.0.0.1", 5354, false, -1);
	if (!ASSERT_GE(a, 0, "socket a") || !ASSERT_GE(b, 0, "socket b") ||
	    !ASSERT_GE(other, 0, "unrelated socket"))
		goto out;
	if (!ASSERT_OK(sockwatch_add(sw, &w, on_gone, &f, &e), "add"))
		goto out;
	ASSERT_EQ(sockwatch_present(sw, &w), 1, "present");

	/* unrelated: filtered in the kernel, never an event */
	close(other);
	other = -1;
	/* a reuseport sibling: an event and a dump, nothing fires */
	close(a);
	a = -1;
	sockwatch_get_stats(sw, &st);
	ASSERT_TRUE(run_until(el, dumps_past, &(struct dumps_past){ sw, st.dumps }, 2000),
		    "the sibling's event looked at within 2 s");
	sockwatch_get_stats(sw, &st);
	ASSERT_EQ(st.dumps, 2, "one dump for the sibling's event (and one for present)");
	ASSERT_EQ(f.n, 0, "a sibling is left: nothing fired");
	ASSERT_EQ(sockwatch_present(sw, &w), 1, "still present");

	/* the last one: fired at once */
	close(b);
	b = -1;
	ASSERT_TRUE(run_until(el, has_fired, &f, 2000), "fired within 2 s");
	ASSERT_EQ(f.n, 1, "fired once");
	ASSERT_STREQ(f.detail, "127.0.0.1:5353/udp: the last socket closed", "detail");
	ASSERT_EQ(sockwatch_present(sw, &w), 0, "gone");
	sockwatch_get_stats(sw, &st);
	ASSERT_EQ(st.events, 2, "two events passed the filter (the unrelated one did not)");
	ASSERT_EQ(st.fired, 1, "fired count");
out:
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	if (other >= 0)
		close(other);
	if (sw)
		sockwatch_del(sw, e);
	sockwatch_free(sw);
	evloop_free(el);
}

/* Accept one connection on listener l from a client of family af to
 * address a; both ends closed again. */
static bool connection(int l, int af, const char *a, __u16 port)
{
	struct sockaddr_storage ss = {};
	socklen_t len;
	int c, s;

	c = socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0)
		return false;
	if (af == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		inet_pton(AF_INET, a, &sin->sin_addr);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		inet_pton(AF_INET6, a, &sin6->sin6_addr);
		len = sizeof(*sin6);
	}
	if (connect(c, (struct sockaddr *)&ss, len)) {
		close(c);
		return false;
	}
	s = accept(l, NULL, NULL);
	close(c);
	if (s < 0)
		return false;
	close(s);
	return true;
}

void test_health_sockwatch_tcp(void)
{
	struct sockdiag_want w = want("127.0.0.1", 8080, IPPROTO_TCP);
	struct sockwatch_entry *e = NULL, *e2 = NULL;
	struct sockwatch *sw = NULL;
	struct sockwatch_stats st;
	struct evloop *el = NULL;
	struct fired f = {}, f2 = {};
	int dual = -1, v6only = -1, v4 = -1, i;

	if (!netns())
		return;
	if (!ASSERT_OK(evloop_new(&el), "evloop") || !ASSERT_OK(sockwatch_new(el, &sw), "new"))
		goto out;
	/* a dual-stack service: [::]:8080 serves 127.0.0.1:8080 */
	dual = sock_bound(AF_INET6, SOCK_STREAM, "::", 8080, false, 0);
	if (!ASSERT_GE(dual, 0, "dual-stack listener"))
		goto out;
	ASSERT_OK(sockwatch_add(sw, &w, on_gone, &f, &e), "add");
	/* a second watch on the same socket fires too, with one dump */
	ASSERT_OK(sockwatch_add(sw, &w, on_gone, &f2, &e2), "add the same again");
	ASSERT_EQ(sockwatch_present(sw, &w), 1, "dual stack present for IPv4");

	/* connections come and go on the watched port: filtered out */
	for (i = 0; i < 5; i++)
		ASSERT_TRUE(connection(dual, AF_INET, "127.0.0.1", 8080), "connection");
	close(dual);
	dual = -1;
	ASSERT_TRUE(run_until(el, has_fired, &f, 2000), "fired within 2 s");
	ASSERT_STREQ(f.detail, "127.0.0.1:8080/tcp: the last socket closed", "detail");
	ASSERT_EQ(f2.n, 1, "the second watch fired too");
	sockwatch_get_stats(sw, &st);
	ASSERT_EQ(st.events, 1, "only the listener's destruction passed the filter");
	ASSERT_EQ(st.dumps, 2, "one dump for both watches (and one for present)");

	/* an IPv4 listener and a v6only one: the v6only one closing
	 * leaves the IPv4 one serving */
	f.n = f2.n = 0;
	v4 = sock_bound(AF_INET, SOCK_STREAM, "127.0.0.1", 8080, false, -1);
	v6only = sock_bound(AF_INET6, SOCK_STREAM, "::", 8080, false, 1);
	if (!ASSERT_GE(v4, 0, "v4 listener") || !ASSERT_GE(v6only, 0, "v6only listener"))
		goto out;
	close(v6only);
	v6only = -1;
	sockwatch_get_stats(sw, &st);
	ASSERT_TRUE(run_until(el, dumps_past, &(struct dumps_past){ sw, st.dumps }, 2000),
		    "the v6only listener's event looked at");
	ASSERT_EQ(f.n, 0, "the IPv4 listener serves: nothing fired");

	/* the last watch removed: the groups are left, nothing comes */
	sockwatch_del(sw, e);
	e = NULL;
	sockwatch_del(sw, e2);
	e2 = NULL;
	sockwatch_get_stats(sw, &st);
	close(v4);
	v4 = -1;
	ASSERT_FALSE(run_until(el, dumps_past, &(struct dumps_past){ sw, st.dumps }, 100),
		     "no watch: no event");
	ASSERT_EQ(f.n + f2.n, 0, "nothing fired");
out:
	if (dual >= 0)
		close(dual);
	if (v6only >= 0)
		close(v6only);
	if (v4 >= 0)
		close(v4);
	if (sw) {
		sockwatch_del(sw, e);
		sockwatch_del(sw, e2);
	}
	sockwatch_free(sw);
	evloop_free(el);
}
