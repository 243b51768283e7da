// SPDX-License-Identifier: GPL-2.0
/*
 * Host-mode VIP addresses on an interface (`add-address lo`): xlbd adds
 * the address of every local VIP that asks for it, marked with the
 * address protocol IFADDR_PROTO_XLB, and removes marked addresses that no
 * VIP of the running config wants any more. An address the operator put
 * there (unmarked) is used as it is and never removed.
 *
 * The address stays while the VIP is withdrawn: the health check probes
 * the service on the VIP, and a service bound to the address must not
 * lose it because it failed a check. It goes when the VIP (or its
 * add-address) leaves the config, and when xlbd stops without -k; a
 * restarted or upgraded xlbd finds its marked addresses and keeps them.
 * Runs at start, after each reload and with the next-hop refresh, so an
 * address deleted by hand comes back within seconds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>

#include "core/xlbd.h"
#include "lib/ifaddr.h"
#include "lib/log.h"

struct addr_list {
	struct if_vaddr *a;
	size_t n, cap;
};

static int collect(const struct if_vaddr *a, void *arg)
{
	struct addr_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct if_vaddr *na = realloc(l->a, cap * sizeof(*na));

		if (!na)
			return -ENOMEM;
		l->a = na;
		l->cap = cap;
	}
	l->a[l->n++] = *a;
	return 0;
}

static bool same_addr(const struct if_vaddr *a, __u8 family, const union xlb_addr *addr)
{
	size_t len = family == XLB_FAMILY_V4 ? 4 : 16;

	return a->family == family && !memcmp(a->addr.bytes, addr->bytes, len);
}

static const char *ifaddr_str(const struct if_vaddr *a, char *buf, size_t len)
{
	char ifname[IF_NAMESIZE] = "?";
	char ip[INET6_ADDRSTRLEN] = "?";

	if_indextoname(a->ifindex, ifname);
	inet_ntop(a->family == XLB_FAMILY_V4 ? AF_INET : AF_INET6, a->addr.bytes, ip, sizeof(ip));
	snprintf(buf, len, "%s/%u on %s", ip, a->prefixlen, ifname);
	return buf;
}

/* Is a marked address a is wanted by some VIP of the running config? */
static bool wanted(struct xlbd *d, const struct if_vaddr *a)
{
	size_t i;

	for (i = 0; i < d->n_vips; i++) {
		const struct conf_vip *c = d->vips[i].conf;

		if (c && c->local && c->add_address && same_addr(a, c->addr.family, &c->addr.addr) &&
		    (int)if_nametoindex(c->add_address) == a->ifindex)
			return true;
	}
	return false;
}

/* One VIP: add its address unless it is there already. */
static void vip_addr_sync(struct rt_vip *v, const struct addr_list *l)
{
	const struct conf_vip *c = v->conf;
	struct if_vaddr a = {};
	char what[96], name[CONF_VIP_STRLEN];
	size_t k;
	int rc;

	conf_vip_format(c, name, sizeof(name));

	a.ifindex = (int)if_nametoindex(c->add_address);
	if (!a.ifindex) {
		rc = -errno;
		goto fail;
	}
	for (k = 0; k < l->n; k++) {
		if (l->a[k].ifindex == a.ifindex && same_addr(&l->a[k], c->addr.family, &c->addr.addr)) {
			v->addr_state = l->a[k].proto == IFADDR_PROTO_XLB ? RT_ADDR_ADDED : RT_ADDR_PRESENT;
			v->addr_err = 0;
			return;
		}
	}
	a.family = c->addr.family;
	a.prefixlen = a.family == XLB_FAMILY_V4 ? 32 : 128;
	a.proto = IFADDR_PROTO_XLB;
	a.addr = c->addr.addr;
	rc = ifaddr_add(&a);
	if (rc && rc != -EEXIST)
		goto fail;
	log_info("added %s for vip %s", ifaddr_str(&a, what, sizeof(what)), name);
	v->addr_state = RT_ADDR_ADDED;
	v->addr_err = 0;
	return;
fail:
	/* say it once, not every refresh */
	if (v->addr_err != rc)
		log_warnx("vip %s: cannot add its address to %s: %s", name, c->add_address,
			  strerror(-rc));
	v->addr_err = rc;
	v->addr_state = RT_ADDR_NONE;
}

static int sweep(struct xlbd *d, bool all)
{
	struct addr_list l = {};
	char what[96];
	size_t i, k;
	int rc, first = 0;

	rc = ifaddr_dump(0, collect, &l);
	if (rc) {
		free(l.a);
		return rc;
	}
	for (k = 0; k < l.n; k++) {
		if (l.a[k].proto != IFADDR_PROTO_XLB || (!all && wanted(d, &l.a[k])))
			continue;
		rc = ifaddr_del(&l.a[k]);
		if (rc && rc != -EADDRNOTAVAIL) {
			log_warnx("cannot remove %s: %s", ifaddr_str(&l.a[k], what, sizeof(what)),
				  strerror(-rc));
			first = first ? first : rc;
			continue;
		}
		log_info("removed %s: no vip wants it", ifaddr_str(&l.a[k], what, sizeof(what)));
		l.a[k].proto = 0; /* gone: not seen as present below */
		l.a[k].ifindex = 0;
	}
	for (i = 0; !all && i < d->n_vips; i++) {
		struct rt_vip *v = &d->vips[i];

		if (v->conf && v->conf->local && v->conf->add_address)
			vip_addr_sync(v, &l);
		else
			v->addr_state = RT_ADDR_NONE;
	}
	free(l.a);
	return first;
}

int xlbd_vipaddr_sync(struct xlbd *d, bool force)
{
	size_t i;

	/* Without add-address VIPs, only the first sync (at start: an earlier
	 * xlbd may have left addresses a new config no longer wants) and the
	 * one after a reload that dropped the last of them talk to netlink. */
	for (i = 0; i < d->n_vips; i++)
		if (d->vips[i].conf && d->vips[i].conf->add_address)
			break;
	if (i == d->n_vips && !d->vipaddr_used && !force)
		return 0;
	d->vipaddr_used = i < d->n_vips;
	return sweep(d, false);
}

int xlbd_vipaddr_clear(struct xlbd *d)
{
	if (!d->vipaddr_used)
		return 0;
	return sweep(d, true);
}
