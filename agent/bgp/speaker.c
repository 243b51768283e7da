// SPDX-License-Identifier: GPL-2.0
/*
 * The speaker: owns one bgp_peer per configured neighbor and the
 * listening sockets (port 179, IPv4 and IPv6) that accept connections
 * from configured neighbors only, with their TCP-MD5 keys installed.
 * Routes come from xlbd through one callback; any change is pushed to
 * every established peer as a difference.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "bfd/bfd.h"
#include "bgp/speaker.h"
#include "lib/log.h"

struct bgp_speaker {
	struct bgp_env env;	/* what every peer gets at init */
	struct bgp_peer **peers;
	size_t n_peers;
	int listen_fd[2];	/* IPv4, IPv6 */
	struct bfd *bfd;	/* when a neighbor has `bfd` */
};

static void on_bfd_down(void *arg, struct bfd_session *s, enum bfd_diag diag)
{
	struct bgp_peer *p = arg;

	(void)s;
	bgp_peer_bfd_down(p, bfd_diag_name(diag));
}

/* Start, adjust or stop the BFD session of a peer to match its config. */
static void peer_bfd_sync(struct bgp_speaker *sp, struct bgp_peer *p)
{
	const struct conf_neighbor *c = p->conf;
	int err;

	if (!c->bfd.enabled) {
		if (p->bfd)
			bfd_session_destroy(p->bfd);
		p->bfd = NULL;
		return;
	}
	if (!sp->bfd) {
		struct bfd_opts o = { .port = BFD_PORT, .peer_port = BFD_PORT };

		err = bfd_new(sp->env.el, &o, &sp->bfd);
		if (err) {
			log_warnx("bfd: cannot start: %s", strerror(-err));
			return;
		}
	}
	if (p->bfd) {
		bfd_session_set(p->bfd, &c->bfd);
		return;
	}
	err = bfd_session_new(sp->bfd, &c->addr,
			      c->local_address.family ? &c->local_address : NULL, &c->bfd,
			      on_bfd_down, p, &p->bfd);
	if (err)
		log_peer_warnx(p, "cannot start BFD: %s", strerror(-err));
}

static struct bgp_peer *peer_by_addr(struct bgp_speaker *sp, int family, const void *addr)
{
	size_t i;

	for (i = 0; i < sp->n_peers; i++) {
		const struct conf_addr *a = &sp->peers[i]->conf->addr;

		if (family == AF_INET && a->family == XLB_FAMILY_V4 && !memcmp(&a->addr.v4, addr, 4))
			return sp->peers[i];
		if (family == AF_INET6 && a->family == XLB_FAMILY_V6 && !memcmp(a->addr.bytes, addr, 16))
			return sp->peers[i];
	}
	return NULL;
}

static void on_accept(struct evloop *el, int lfd, uint32_t events, void *arg)
{
	struct bgp_speaker *sp = arg;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct bgp_peer *p = NULL;
	int fd;

	(void)el;
	(void)events;
	fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (ss.ss_family == AF_INET) {
		p = peer_by_addr(sp, AF_INET, &((struct sockaddr_in *)&ss)->sin_addr);
	} else if (ss.ss_family == AF_INET6) {
		struct in6_addr *a6 = &((struct sockaddr_in6 *)&ss)->sin6_addr;

		p = peer_by_addr(sp, AF_INET6, a6);
		if (!p && IN6_IS_ADDR_V4MAPPED(a6))
			p = peer_by_addr(sp, AF_INET, &a6->s6_addr[12]);
	}
	if (!p) {
		char s[INET6_ADDRSTRLEN] = "?";

		inet_ntop(ss.ss_family, ss.ss_family == AF_INET ?
					(void *)&((struct sockaddr_in *)&ss)->sin_addr :
					(void *)&((struct sockaddr_in6 *)&ss)->sin6_addr,
			  s, sizeof(s));
		log_debug("bgp: connection from %s refused: not a configured neighbor", s);
		close(fd);
		return;
	}
	if (bgp_socket_setup(fd, p->conf, p->conf->remote_as == sp->env.conf->local_as)) {
		close(fd);
		return;
	}
	bgp_peer_incoming(p, fd);
}

static int listen_open(struct bgp_speaker *sp, int family)
{
	struct sockaddr_storage ss = {};
	socklen_t len;
	int fd, one = 1;
	size_t i;

	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	ss.ss_family = family;
	if (family == AF_INET) {
		((struct sockaddr_in *)&ss)->sin_port = htons(BGP_PORT);
		len = sizeof(struct sockaddr_in);
	} else {
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(BGP_PORT);
		len = sizeof(struct sockaddr_in6);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 16)) {
		int err = -errno;

		close(fd);
		return err;
	}
	/* the kernel checks TCP-MD5 on the handshake: keys go on the
	 * listening socket too */
	for (i = 0; i < sp->n_peers; i++) {
		const struct conf_neighbor *c = sp->peers[i]->conf;

		if ((family == AF_INET) == (c->addr.family == XLB_FAMILY_V4))
			bgp_md5_set(fd, c);
	}
	if (evloop_add_fd(sp->env.el, fd, EPOLLIN, on_accept, sp)) {
		close(fd);
		return -ENOMEM;
	}
	return fd;
}

static void listen_close(struct bgp_speaker *sp)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (sp->listen_fd[i] >= 0) {
			evloop_del_fd(sp->env.el, sp->listen_fd[i]);
			close(sp->listen_fd[i]);
		}
		sp->listen_fd[i] = -1;
	}
}

/* A listener per family some neighbor has: listen_fd[0] IPv4, [1] IPv6. */
static void listen_reopen(struct bgp_speaker *sp)
{
	static const struct {
		__u8 family;
		int af;
		const char *name;
	} fams[2] = { { XLB_FAMILY_V4, AF_INET, "IPv4" }, { XLB_FAMILY_V6, AF_INET6, "IPv6" } };
	size_t i, k;
	int fd;

	listen_close(sp);
	for (k = 0; k < 2; k++) {
		for (i = 0; i < sp->n_peers; i++)
			if (sp->peers[i]->conf->addr.family == fams[k].family)
				break;
		if (i == sp->n_peers)
			continue;
		fd = listen_open(sp, fams[k].af);
		if (fd < 0)
			log_warnx("bgp: cannot listen on port %d (%s): %s; connecting out only",
				  BGP_PORT, fams[k].name, strerror(-fd));
		sp->listen_fd[k] = fd < 0 ? -1 : fd;
	}
}

static int peers_add(struct bgp_speaker *sp, const struct conf_neighbor *c)
{
	struct bgp_peer **peers, *p;

	p = calloc(1, sizeof(*p));
	peers = realloc(sp->peers, (sp->n_peers + 1) * sizeof(*peers));
	if (!p || !peers) {
		free(p);
		if (peers)
			sp->peers = peers;
		return -ENOMEM;
	}
	sp->peers = peers;
	bgp_peer_init(p, &sp->env, c);
	sp->peers[sp->n_peers++] = p;
	return 0;
}

int bgp_speaker_new(struct evloop *el, const struct xlb_conf *conf, bgp_routes_fn routes,
		    void *arg, struct bgp_speaker **out)
{
	struct bgp_speaker *sp = calloc(1, sizeof(*sp));
	size_t i;
	int err;

	if (!sp)
		return -ENOMEM;
	sp->env = (struct bgp_env){
		.el = el, .conf = conf, .routes_fn = routes, .routes_arg = arg,
	};
	sp->listen_fd[0] = sp->listen_fd[1] = -1;
	for (i = 0; i < conf->n_neighbors; i++) {
		err = peers_add(sp, &conf->neighbors[i]);
		if (err) {
			bgp_speaker_free(sp);
			return err;
		}
	}
	if (sp->n_peers)
		listen_reopen(sp);
	for (i = 0; i < sp->n_peers; i++) {
		peer_bfd_sync(sp, sp->peers[i]);
		bgp_peer_start(sp->peers[i]);
	}
	*out = sp;
	return 0;
}

void bgp_speaker_free(struct bgp_speaker *sp)
{
	size_t i;

	if (!sp)
		return;
	listen_close(sp);
	for (i = 0; i < sp->n_peers; i++) {
		if (sp->peers[i]->bfd)
			bfd_session_destroy(sp->peers[i]->bfd);
		bgp_peer_release(sp->peers[i]);
		free(sp->peers[i]);
	}
	bfd_free(sp->bfd);
	free(sp->peers);
	free(sp->env.routes);
	free(sp);
}

static bool neighbor_equal(const struct conf_neighbor *a, const struct conf_neighbor *b)
{
#define STREQ(x, y) ((!(x) && !(y)) || ((x) && (y) && !strcmp((x), (y))))
	return conf_addr_eq(&a->addr, &b->addr) && a->remote_as == b->remote_as &&
	       a->hold_time == b->hold_time && a->port == b->port && a->passive == b->passive &&
	       STREQ(a->password, b->password) && conf_addr_eq(&a->local_address, &b->local_address) &&
	       a->multihop == b->multihop && a->ttl_security == b->ttl_security &&
	       a->graceful_restart == b->graceful_restart;
#undef STREQ
}

int bgp_speaker_reconfigure(struct bgp_speaker *sp, const struct xlb_conf *conf)
{
	struct bgp_peer **old = sp->peers;
	size_t n_old = sp->n_peers, i, j;
	bool global_change = conf->local_as != sp->env.conf->local_as ||
			     conf->router_id != sp->env.conf->router_id;
	int err = 0;

	sp->peers = NULL;
	sp->n_peers = 0;
	for (i = 0; i < conf->n_neighbors && !err; i++) {
		const struct conf_neighbor *c = &conf->neighbors[i];
		struct bgp_peer *keep = NULL;

		for (j = 0; j < n_old; j++) {
			if (old[j] && !global_change && neighbor_equal(old[j]->conf, c)) {
				keep = old[j];
				old[j] = NULL;
				break;
			}
		}
		if (keep) {
			struct bgp_peer **peers = realloc(sp->peers, (sp->n_peers + 1) * sizeof(*peers));

			if (!peers) {
				err = -ENOMEM;
				break;
			}
			sp->peers = peers;
			keep->conf = c;
			sp->peers[sp->n_peers++] = keep;
		} else {
			err = peers_add(sp, c);
		}
	}
	/* neighbors gone or changed: Cease (RFC 4486) and forget */
	for (j = 0; j < n_old; j++) {
		if (!old[j])
			continue;
		bgp_peer_stop(old[j], BGP_ERR_CEASE_PEER_DECONFIGURED, "neighbor reconfigured");
		if (old[j]->bfd)
			bfd_session_destroy(old[j]->bfd);
		bgp_peer_release(old[j]);
		free(old[j]);
	}
	free(old);
	sp->env.conf = conf;
	listen_reopen(sp);
	for (i = 0; i < sp->n_peers; i++) {
		peer_bfd_sync(sp, sp->peers[i]);
		if (sp->peers[i]->state == BGP_IDLE && !evloop_timer_armed(&sp->peers[i]->t_idle_hold))
			bgp_peer_start(sp->peers[i]);
	}
	bgp_speaker_sync(sp);
	return err;
}

void bgp_speaker_sync(struct bgp_speaker *sp)
{
	size_t i;

	for (i = 0; i < sp->n_peers; i++)
		bgp_peer_send_routes(sp->peers[i], false);
}

uint32_t bgp_speaker_drain_ms(const struct bgp_speaker *sp)
{
	uint32_t max = 0;
	size_t i;

	for (i = 0; i < sp->n_peers; i++)
		if (sp->peers[i]->conf->drain_ms > max)
			max = sp->peers[i]->conf->drain_ms;
	return max;
}

uint32_t bgp_speaker_shutdown(struct bgp_speaker *sp, const char *text)
{
	uint32_t wait = 0, w;
	size_t i;

	for (i = 0; i < sp->n_peers; i++) {
		w = bgp_peer_graceful_stop(sp->peers[i], text);
		if (w > wait)
			wait = w;
	}
	return wait;
}

struct bgp_peer *bgp_speaker_peer(struct bgp_speaker *sp, const char *addr)
{
	size_t i;

	for (i = 0; i < sp->n_peers; i++)
		if (!strcmp(sp->peers[i]->name, addr))
			return sp->peers[i];
	return NULL;
}

struct bgp_peer *const *bgp_speaker_peers(const struct bgp_speaker *sp, size_t *n)
{
	*n = sp->n_peers;
	return sp->peers;
}

struct bfd *bgp_speaker_bfd(const struct bgp_speaker *sp)
{
	return sp->bfd;
}
